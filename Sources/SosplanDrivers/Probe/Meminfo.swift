/// The fields of `/proc/meminfo` or `nodeN/meminfo`
/// (`Node 0 MemTotal:  4550128 kB`): values with a `kB` unit in bytes,
/// plain counts (`HugePages_Total`) as they are. Parsed byte by byte: a
/// 64-node host has 64 of these files.
struct Meminfo {
    private(set) var fields: [String: UInt64] = [:]

    init(_ text: String) {
        var copy = text
        var parsed = Meminfo(bytes: UnsafeBufferPointer(start: nil, count: 0))
        copy.withUTF8 { parsed = Meminfo(bytes: $0) }
        self = parsed
    }

    init(bytes: UnsafeBufferPointer<UInt8>) {
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            parseLine(bytes, lineStart, lineEnd)
            lineStart = lineEnd + 1
        }
    }

    private mutating func parseLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        guard let colon = (start..<end).first(where: { b[$0] == UInt8(ascii: ":") }) else { return }
        // The key is the last word before the colon ("Node 0 MemTotal").
        var keyStart = colon
        while keyStart > start && b[keyStart - 1] != 0x20 { keyStart -= 1 }
        guard keyStart < colon else { return }
        var i = colon + 1
        while i < end && b[i] == 0x20 { i += 1 }
        var value: UInt64 = 0, digits = 0
        while i < end, case let d = b[i] &- UInt8(ascii: "0"), d < 10, digits < 19 {
            value = value * 10 + UInt64(d)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return }
        while i < end && b[i] == 0x20 { i += 1 }
        let isKB = i + 1 < end && (b[i] | 0x20) == UInt8(ascii: "k") && (b[i + 1] | 0x20) == UInt8(ascii: "b")
        let key = String(decoding: UnsafeBufferPointer(rebasing: b[keyStart..<colon]), as: UTF8.self)
        let (bytes, overflow) = value.multipliedReportingOverflow(by: isKB ? 1024 : 1)
        fields[key] = overflow ? UInt64.max : bytes
    }

    subscript(key: String) -> UInt64? { fields[key] }

    var total: UInt64? { fields["MemTotal"] }
    var free: UInt64? { fields["MemFree"] }
}
