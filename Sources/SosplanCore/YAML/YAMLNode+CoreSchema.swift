/// A scalar resolved by the YAML 1.2 core schema. Only plain (unquoted,
/// untagged) scalars resolve to null, booleans and numbers; a quoted `"4"`
/// stays a string. Explicit core tags (`!!str`, `!!int` ...) are honoured.
public enum YAMLScalarValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// nil when the digits do not fit in an `Int`.
    case int(Int?)
    case float(Double)
    case string(String, quoted: Bool)
    /// A tag sosplan does not know (`!custom`), or a core tag whose text does
    /// not match it (`!!int abc`).
    case badTag(String)
}

extension YAMLNode {
    static let coreTag = "tag:yaml.org,2002:"

    /// The resolved value of a scalar node; nil for lists and mappings.
    public var resolvedScalar: YAMLScalarValue? {
        guard case .scalar(let text, let style) = kind else { return nil }
        guard let tag else {
            return style == .plain ? YAMLNode.resolvePlain(text) : .string(text, quoted: true)
        }
        switch tag {
        case YAMLNode.coreTag + "str": return .string(text, quoted: true)
        case YAMLNode.coreTag + "null", YAMLNode.coreTag + "bool", YAMLNode.coreTag + "int",
            YAMLNode.coreTag + "float":
            let resolved = YAMLNode.resolvePlain(text)
            let matches: Bool
            switch resolved {
            case .null: matches = tag.hasSuffix("null")
            case .bool: matches = tag.hasSuffix("bool")
            case .int: matches = tag.hasSuffix("int") || tag.hasSuffix("float")
            case .float: matches = tag.hasSuffix("float")
            default: matches = false
            }
            if case .int(let v?) = resolved, tag.hasSuffix("float") { return .float(Double(v)) }
            return matches ? resolved : .badTag(tag)
        default:
            return .badTag(tag)
        }
    }

    /// Core-schema resolution of a plain scalar's text.
    public static func resolvePlain(_ s: String) -> YAMLScalarValue {
        // Every special word starts with one of a few characters; names,
        // sizes and numbers (nearly all scalars) need not be compared with each.
        if s.utf8.first.map(YAMLNode.maySpellWord) ?? true {
            if let word = resolveWord(s) { return word }
        }
        var text = s
        return text.withUTF8 { u in
            if let v = integer(u) { return v }
            if isFloat(u), let d = Double(s) { return .float(d) }
            return .string(s, quoted: false)
        }
    }

    /// A first byte of `null`, `~`, `true`, `False`, `.inf`, `-.Inf` ...
    private static func maySpellWord(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// The core schema's words: null, booleans, infinities and NaN.
    private static func resolveWord(_ s: String) -> YAMLScalarValue? {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`.
    private static func integer(_ u: UnsafeBufferPointer<UInt8>) -> YAMLScalarValue? {
        func digits(_ d: Slice<UnsafeBufferPointer<UInt8>>, radix: Int) -> Bool {
            !d.isEmpty && d.allSatisfy { c in
                switch radix {
                case 8: return c >= 0x30 && c <= 0x37
                case 16: return (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66)
                default: return c >= 0x30 && c <= 0x39
                }
            }
        }
        if u.count > 2, u[0] == 0x30, u[1] == 0x6F || u[1] == 0x78 {
            let radix = u[1] == 0x6F ? 8 : 16
            guard digits(u[2...], radix: radix) else { return nil }
            return .int(Int(String(decoding: u[2...], as: UTF8.self), radix: radix))
        }
        let body = (u.first == 0x2D || u.first == 0x2B) ? u[1...] : u[...]
        guard digits(body, radix: 10) else { return nil }
        return .int(Int(String(decoding: u, as: UTF8.self)))
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isFloat(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        if i < u.count, u[i] == 0x2D || u[i] == 0x2B { i += 1 }
        var mantissa = 0
        while i < u.count, isDigit(u[i]) { i += 1; mantissa += 1 }
        if i < u.count, u[i] == 0x2E {
            i += 1
            while i < u.count, isDigit(u[i]) { i += 1; mantissa += 1 }
        }
        guard mantissa > 0 else { return false }
        if i < u.count, u[i] | 0x20 == 0x65 {
            i += 1
            if i < u.count, u[i] == 0x2D || u[i] == 0x2B { i += 1 }
            var exponent = 0
            while i < u.count, isDigit(u[i]) { i += 1; exponent += 1 }
            guard exponent > 0 else { return false }
        }
        return i == u.count
    }
}
