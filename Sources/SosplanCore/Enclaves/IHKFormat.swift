/// The text formats of `ihkconfig`/`ihkosctl` (research/cokernels-upstream.md §2.3,
/// ihklib.c `mem_array2str`, `ihk_memparse`). Parsers take the tool's
/// stdout; formatters build arguments (driver) and outputs (simulator).
public enum IHKFormat {
    /// `ihkosctl N get status` words.
    public enum OSStatus: String, Sendable, CaseIterable {
        case inactive = "INACTIVE", booting = "BOOTING", running = "RUNNING", shutdown = "SHUTDOWN"
        case panic = "PANIC", hungup = "HUNGUP", freezing = "FREEZING", frozen = "FROZEN"
    }

    /// `query cpu`: a compressed list such as `24-31`; an empty line is no CPU.
    public static func parseCPUList(_ text: String) throws(EnclaveFormatError) -> CPUSet {
        do { return try CPUSet(lenientList: text) } catch { throw EnclaveFormatError(what: "IHK CPU list", text: text) }
    }

    /// `query mem`: raw bytes per chunk, `536870912@0,268435456@1`; a node
    /// may repeat; an empty line is no memory. A chunk without `@` is on
    /// node 0 (ihklib's default).
    public static func parseMemoryQuery(_ text: String) throws(EnclaveFormatError) -> [MemoryChunk] {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.isEmpty { return [] }
        var chunks: [MemoryChunk] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count <= 2, let bytes = digits(parts[0]).flatMap({ UInt64($0) }),
                let node = parts.count == 2 ? digits(parts[1]).flatMap({ Int($0) }) : 0
            else { throw EnclaveFormatError(what: "IHK memory list", text: text) }
            chunks.append(MemoryChunk(node: node, bytes: bytes))
        }
        return chunks
    }

    /// The `query mem` output for chunks (what `mem_array2str` prints).
    public static func formatMemoryQuery(_ chunks: [MemoryChunk]) -> String {
        chunks.map { "\($0.bytes)@\($0.node)" }.joined(separator: ",")
    }

    /// A memlist argument for `reserve/assign/release mem`: the largest exact
    /// `G`/`M` suffix, else raw bytes, always with `@node`.
    public static func formatMemoryArgument(_ chunks: [MemoryChunk]) -> String {
        chunks.map { c in
            let size: String
            if c.bytes % (1 << 30) == 0 {
                size = "\(c.bytes >> 30)G"
            } else if c.bytes % (1 << 20) == 0 {
                size = "\(c.bytes >> 20)M"
            } else {
                size = "\(c.bytes)"
            }
            return "\(size)@\(c.node)"
        }.joined(separator: ",")
    }

    /// One element of a memlist argument as `ihk_memparse` reads it.
    public enum MemoryItem: Equatable, Sendable {
        case bytes(UInt64, node: Int)
        /// `all`/`ALL`: everything available (on `node`, or every node).
        case all(node: Int?)
    }

    /// `(<n>[k|K|M|G|T|P|E]|all|ALL)[@<numa>]` joined by `,`; the default node is 0.
    public static func parseMemoryArgument(_ text: String) throws(EnclaveFormatError) -> [MemoryItem] {
        guard !text.isEmpty else { throw EnclaveFormatError(what: "IHK memlist", text: text) }
        var items: [MemoryItem] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw EnclaveFormatError(what: "IHK memlist", text: text) }
            var node: Int?
            if parts.count == 2 {
                guard let n = digits(parts[1]).flatMap({ Int($0) }) else {
                    throw EnclaveFormatError(what: "IHK memlist", text: text)
                }
                node = n
            }
            if parts[0] == "all" || parts[0] == "ALL" {
                items.append(.all(node: node))
                continue
            }
            guard let bytes = memparse(parts[0]) else { throw EnclaveFormatError(what: "IHK memlist", text: text) }
            items.append(.bytes(bytes, node: node ?? 0))
        }
        return items
    }

    /// `get os_instances`: `0,1`; an empty line is no instance.
    public static func parseOSInstances(_ text: String) throws(EnclaveFormatError) -> [Int] {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.isEmpty { return [] }
        var result: [Int] = []
        for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            guard let n = digits(part).flatMap({ Int($0) }) else {
                throw EnclaveFormatError(what: "IHK OS instance list", text: text)
            }
            result.append(n)
        }
        return result
    }

    public static func parseStatus(_ text: String) throws(EnclaveFormatError) -> OSStatus {
        guard let s = OSStatus(rawValue: text.trimmingASCIIWhitespace()) else {
            throw EnclaveFormatError(what: "IHK OS status", text: text)
        }
        return s
    }

    /// Linux `memparse`: digits with an optional K/M/G/T/P/E suffix (either case).
    public static func memparse<S: StringProtocol>(_ text: S) -> UInt64? {
        guard let first = text.first, first.isASCII, first.isNumber else { return nil }
        let numberEnd = text.firstIndex { !($0.isASCII && $0.isNumber) } ?? text.endIndex
        guard let value = UInt64(text[..<numberEnd]) else { return nil }
        let suffix = text[numberEnd...]
        guard suffix.count <= 1 else { return nil }
        guard let s = suffix.first else { return value }
        let shifts: [Character: UInt64] = ["k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60]
        guard let shift = shifts[Character(s.lowercased())] else { return nil }
        let (r, overflow) = value.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : r
    }

    static func digits<S: StringProtocol>(_ s: S) -> String? {
        guard !s.isEmpty, s.count <= 20, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(s)
    }
}
