import Glibc

/// `%.Nf` formatting (the C library's, so figures read exactly as
/// `String(format:)` printed them) without linking Foundation.
public enum FixedPoint {
    /// `x` with `digits` digits after the point: `text(1.234, digits: 2)` is `1.23`.
    public static func text(_ x: Double, digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([Int32(digits), x]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        guard n >= 0, Int(n) < buffer.count else { return "\(x)" }
        return String(decoding: buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
