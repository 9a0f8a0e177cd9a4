/// The fields of `/proc/meminfo` or `nodeN/meminfo`
/// (`Node 0 MemTotal:  4550128 kB`): values with a `kB` unit in bytes,
/// plain counts (`HugePages_Total`) as they are.
struct Meminfo {
    private(set) var fields: [String: UInt64] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            // The key is the last word before the colon ("Node 0 MemTotal").
            guard let key = line[..<colon].split(separator: " ").last else { continue }
            let words = line[line.index(after: colon)...].split(separator: " ")
            guard let number = words.first.flatMap({ UInt64($0) }) else { continue }
            let isKB = words.count > 1 && words[1].lowercased() == "kb"
            let (bytes, overflow) = number.multipliedReportingOverflow(by: isKB ? 1024 : 1)
            fields[String(key)] = overflow ? UInt64.max : bytes
        }
    }

    subscript(key: String) -> UInt64? { fields[key] }

    var total: UInt64? { fields["MemTotal"] }
    var free: UInt64? { fields["MemFree"] }
}
