/// The text formats of Pisces (drouyang/pisces @f0cfeeb `src/enclave.c`
/// prints them, the 2018 tools' `linux_usr/teardown.c` parses them;
/// research cokernels-upstream.md §3.3).
public enum PiscesFormat {
    /// One memory range of an enclave, `[start, end)` in physical bytes.
    public struct MemoryRange: Hashable, Sendable, Codable {
        public var start: UInt64
        public var end: UInt64

        public init(start: UInt64, end: UInt64) {
            self.start = start
            self.end = end
        }

        public var bytes: UInt64 { end &- start }

        /// The memory block ids the range covers for a given block size.
        public func blocks(blockSize: UInt64) -> [Int] {
            guard blockSize > 0, end > start else { return [] }
            return Array(Int(start / blockSize)..<Int((end + blockSize - 1) / blockSize))
        }
    }

    /// `/proc/pisces/enclave-N/cpus`: `Num CPUs: 2\nCPU 5\nCPU 6\n`, written
    /// with `for_each_cpu` over the enclave's mask, so in ascending CPU
    /// order (`src/enclave.c:339-361`, `:354`), not the order they joined.
    public static func parseCPUs(_ text: String) throws(EnclaveFormatError) -> [Int] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first, header.hasPrefix("Num CPUs: "),
            let count = Int(header.dropFirst("Num CPUs: ".count).trimmingASCIIWhitespace()),
            lines.count - 1 >= count
        else { throw EnclaveFormatError(what: "Pisces cpus file", text: text) }
        var cpus: [Int] = []
        for line in lines.dropFirst().prefix(count) {
            guard line.hasPrefix("CPU "), let id = Int(line.dropFirst(4).trimmingASCIIWhitespace()), id >= 0 else {
                throw EnclaveFormatError(what: "Pisces cpus file", text: text)
            }
            cpus.append(id)
        }
        return cpus
    }

    public static func formatCPUs(_ cpus: [Int]) -> String {
        "Num CPUs: \(cpus.count)\n" + cpus.map { "CPU \($0)\n" }.joined()
    }

    /// `/proc/pisces/enclave-N/memory`:
    /// `Num Memory Blocks: 1\n0: 0000000008000000 - 0000000010000000\n`; each
    /// address has exactly 16 hex digits (teardown.c's regex).
    public static func parseMemory(_ text: String) throws(EnclaveFormatError) -> [MemoryRange] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let prefix = "Num Memory Blocks: "
        guard let header = lines.first, header.hasPrefix(prefix),
            let count = Int(header.dropFirst(prefix.count).trimmingASCIIWhitespace()), lines.count - 1 >= count
        else { throw EnclaveFormatError(what: "Pisces memory file", text: text) }
        var ranges: [MemoryRange] = []
        for line in lines.dropFirst().prefix(count) {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw EnclaveFormatError(what: "Pisces memory file", text: text)
            }
            let rest = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
            guard rest.count == 3, rest[1] == "-", let start = hex16(rest[0]), let end = hex16(rest[2]), end >= start
            else { throw EnclaveFormatError(what: "Pisces memory file", text: text) }
            ranges.append(MemoryRange(start: start, end: end))
        }
        return ranges
    }

    /// What the kernel prints (`%p`, 16 lowercase hex digits).
    public static func formatMemory(_ ranges: [MemoryRange]) -> String {
        var out = "Num Memory Blocks: \(ranges.count)\n"
        for (i, r) in ranges.enumerated() { out += "\(i): \(hex(r.start)) - \(hex(r.end))\n" }
        return out
    }

    /// `/proc/pisces/enclave-N/pci` with no device.
    public static let emptyPCI = "PCI Devices: 0\n"

    /// `pisces_load` prints `Enclave Created: N` (N is -1 on failure; the
    /// 2015+ tools, pis18 `pisces_load.c:23`).
    public static func parseLoadOutput(_ text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix("Enclave Created: ") {
            return Int(line.dropFirst("Enclave Created: ".count).trimmingASCIIWhitespace())
        }
        return nil
    }

    /// The pre-2015 `pisces_load` printed the device path instead
    /// (`Enclave Created: /dev/pisces-enclave0`, pis @1336644
    /// `linux_usr/pisces_load.c:50`): tools sosplan does not drive.
    public static func isPre2015LoadOutput(_ text: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix("Enclave Created: /dev/") }
    }

    static func hex16<S: StringProtocol>(_ s: S) -> UInt64? {
        guard s.count == 16 else { return nil }
        return UInt64(s, radix: 16)
    }

    static func hex(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}
