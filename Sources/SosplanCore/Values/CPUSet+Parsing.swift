/// A CPU list that does not parse; `offset` is the character index of the
/// offending part within the list (for a precise column in diagnostics).
public struct CPUListError: Error, Equatable, Sendable {
    public var message: String
    public var offset: Int
}

extension CPUSet {
    /// The largest CPU id a layout may name; keeps a typo such as
    /// `0-9999999` from allocating a huge bitmap.
    public static let maximumID = 65_535
    /// The largest id read from the kernel or a saved file: memory block ids
    /// of a multi-terabyte host go past 65,535.
    public static let maximumObservedID = (1 << 22) - 1

    /// Parses a layout CPU list strictly: ascending, no duplicates or overlaps,
    /// no spaces, ranges `a-b` with a <= b.
    public init(strictList text: String) throws(CPUListError) {
        self = try CPUSet.parse(text, strict: true)
    }

    /// Parses a kernel or tool CPU list (`0-3,8`; empty = no CPUs); tolerates
    /// surrounding whitespace and any order, as sysfs files may end in a newline.
    public init(lenientList text: String) throws(CPUListError) {
        self = try CPUSet.parse(text.trimmingASCIIWhitespace(), strict: false)
    }

    static func parse(_ text: String, strict: Bool) throws(CPUListError) -> CPUSet {
        var set = CPUSet()
        if text.isEmpty {
            if strict { throw CPUListError(message: "empty CPU list", offset: 0) }
            return set
        }
        var previousEnd = -1
        var offset = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            defer { offset += part.count + 1 }
            if part.isEmpty { throw CPUListError(message: "empty element in CPU list", offset: offset) }
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2,
                let lo = bounds.first.flatMap({ parseID($0) }),
                let hi = bounds.count == 2 ? parseID(bounds[1]) : lo
            else {
                throw CPUListError(message: "'\(part)' is not a CPU id or range like 4-7", offset: offset)
            }
            let limit = strict ? CPUSet.maximumID : CPUSet.maximumObservedID
            guard lo <= limit, hi <= limit else {
                throw CPUListError(message: "CPU id above \(limit) in '\(part)'", offset: offset)
            }
            guard lo <= hi else {
                throw CPUListError(message: "range '\(part)' runs backwards", offset: offset)
            }
            if strict && lo <= previousEnd {
                throw CPUListError(
                    message: "'\(part)' is not ascending or repeats a CPU (a list must go up, without duplicates)",
                    offset: offset)
            }
            previousEnd = hi
            for id in lo...hi { set.insert(id) }
        }
        return set
    }

    private static func parseID(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 8, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }

    /// Parses a sysfs bitmap such as `cpumap` or `shared_cpu_map`:
    /// comma-separated 32-bit hex words, most significant first.
    public init?(hexMask text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty else { return nil }
        var words32: [UInt32] = []
        for chunk in trimmed.split(separator: ",").reversed() {
            guard let w = UInt32(chunk, radix: 16) else { return nil }
            words32.append(w)
        }
        var words: [UInt64] = []
        var i = 0
        while i < words32.count {
            let lo = UInt64(words32[i])
            let hi = i + 1 < words32.count ? UInt64(words32[i + 1]) : 0
            words.append(lo | hi << 32)
            i += 2
        }
        self.init(words: words)
    }
}

extension StringProtocol {
    /// Trims spaces, tabs and newlines without Foundation.
    public func trimmingASCIIWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
        guard let start = firstIndex(where: { !ws.contains($0) }),
            let end = lastIndex(where: { !ws.contains($0) })
        else { return "" }
        return String(self[start...end])
    }
}
