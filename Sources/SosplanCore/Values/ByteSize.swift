/// An amount of memory in bytes, written in layouts as an integer or a
/// quantity with a binary (`Ki Mi Gi Ti`) or decimal (`K M G T`) suffix.
public struct ByteSize: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var bytes: UInt64

    public init(_ bytes: UInt64) { self.bytes = bytes }

    public static func kib(_ n: UInt64) -> ByteSize { ByteSize(n << 10) }
    public static func mib(_ n: UInt64) -> ByteSize { ByteSize(n << 20) }
    public static func gib(_ n: UInt64) -> ByteSize { ByteSize(n << 30) }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }

    static let suffixes: [(String, UInt64)] = [
        ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40),
        ("K", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
    ]

    public enum ParseError: Error, Equatable, Sendable {
        case notAQuantity
        case unknownSuffix(String)
        case notWhole
        case tooLarge
    }

    /// Parses `512`, `4Gi`, `1.5Gi`, `10G`. A fraction must give whole bytes.
    public static func parse(_ text: String) -> Result<ByteSize, ParseError> {
        let s = text
        guard let first = s.first, first.isASCII, first.isNumber else { return .failure(.notAQuantity) }
        let numberEnd = s.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? s.endIndex
        let number = String(s[..<numberEnd])
        let suffix = String(s[numberEnd...])
        var multiplier: UInt64 = 1
        if !suffix.isEmpty {
            guard let m = suffixes.first(where: { $0.0 == suffix })?.1 else {
                return .failure(.unknownSuffix(suffix))
            }
            multiplier = m
        }
        let pieces = number.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, !pieces[0].isEmpty, pieces.count == 1 || !pieces[1].isEmpty,
            pieces[0].count <= 20
        else { return .failure(.notAQuantity) }
        guard let whole = UInt64(pieces[0]) else { return .failure(.tooLarge) }
        let (wholeBytes, o1) = whole.multipliedReportingOverflow(by: multiplier)
        guard !o1 else { return .failure(.tooLarge) }
        guard pieces.count == 2 else { return .success(ByteSize(wholeBytes)) }
        // Fraction: digits d over 10^n, exact only if multiplier*d divisible by 10^n.
        let digits = pieces[1]
        guard digits.count <= 12, let frac = UInt64(digits) else { return .failure(.notWhole) }
        var denominator: UInt64 = 1
        for _ in 0..<digits.count { denominator *= 10 }
        let (num, o2) = frac.multipliedReportingOverflow(by: multiplier)
        guard !o2 else { return .failure(.tooLarge) }
        guard num % denominator == 0 else { return .failure(.notWhole) }
        let (total, o3) = wholeBytes.addingReportingOverflow(num / denominator)
        guard !o3 else { return .failure(.tooLarge) }
        return .success(ByteSize(total))
    }

    /// The exact form with the largest binary suffix that divides evenly
    /// (`32Gi`, `1536Mi`, `4096`), as a user would write it.
    public var description: String {
        for (suffix, m) in [("Ti", UInt64(1) << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)]
        where bytes >= m && bytes % m == 0 {
            return "\(bytes / m)\(suffix)"
        }
        return "\(bytes)"
    }

    /// A rounded human form (`15.6 GiB`) for summaries, not for round trips.
    public var humanReadable: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var i = 0
        while value >= 1024 && i < units.count - 1 { value /= 1024; i += 1 }
        if i == 0 { return "\(bytes) B" }
        let tenths = (value * 10).rounded() / 10
        let text = tenths == tenths.rounded() ? "\(Int(tenths))" : "\(tenths)"
        return "\(text) \(units[i])"
    }

    public static func + (a: ByteSize, b: ByteSize) -> ByteSize { ByteSize(a.bytes + b.bytes) }
    public static func - (a: ByteSize, b: ByteSize) -> ByteSize { ByteSize(a.bytes - b.bytes) }
    public static let zero = ByteSize(0)

    public init(from decoder: any Decoder) throws {
        bytes = try decoder.singleValueContainer().decode(UInt64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bytes)
    }
}
