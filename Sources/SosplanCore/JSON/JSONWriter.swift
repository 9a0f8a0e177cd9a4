/// Serializes `JSONValue`s: pretty (two-space indent, short scalar-only
/// arrays and flat objects on one line, as in the CLI contract) or compact.
public enum JSONWriter {
    /// The widest a value may be to be printed on one line in pretty output.
    static let inlineWidth = 110

    public static func pretty(_ v: JSONValue) -> String {
        var out = ""
        writePretty(v, indent: 0, into: &out)
        out += "\n"
        return out
    }

    public static func compact(_ v: JSONValue) -> String {
        var out = ""
        writeCompact(v, into: &out, spaced: false)
        return out
    }

    static func writePretty(_ v: JSONValue, indent: Int, into out: inout String) {
        switch v {
        case .array(let items) where !items.isEmpty:
            // Each item takes at least 2 characters inline ("1, "): longer
            // arrays cannot fit, so do not build their line just to drop it.
            if items.count * 2 <= inlineWidth - indent, isFlat(v), let line = inline(v, budget: inlineWidth - indent) {
                out += line
                return
            }
            out += "[\n"
            let pad = String(repeating: " ", count: indent + 2)
            for (i, item) in items.enumerated() {
                out += pad
                writePretty(item, indent: indent + 2, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members) where !members.isEmpty:
            if isFlat(v), let line = inline(v, budget: inlineWidth - indent) {
                out += line
                return
            }
            out += "{\n"
            let pad = String(repeating: " ", count: indent + 2)
            for (i, (key, value)) in members.enumerated() {
                out += pad
                writeString(key, into: &out)
                out += ": "
                writePretty(value, indent: indent + 2, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        default:
            writeCompact(v, into: &out, spaced: true)
        }
    }

    /// Short values nest at most two levels deep on one line (an array of
    /// flat objects, an object of scalars); deeper ones always break.
    static func isFlat(_ v: JSONValue) -> Bool { nests(v, atMost: 2) }

    /// Whether `v` is at most `levels` deep; stops at the first value
    /// deeper, so a big document is not walked again at every level.
    static func nests(_ v: JSONValue, atMost levels: Int) -> Bool {
        switch v {
        case .array(let a): return levels > 0 && a.allSatisfy { nests($0, atMost: levels - 1) }
        case .object(let m): return levels > 0 && m.allSatisfy { nests($0.1, atMost: levels - 1) }
        default: return true
        }
    }

    static func inline(_ v: JSONValue, budget: Int) -> String? {
        var s = ""
        // A character is at most 4 UTF-8 bytes: past 4 × budget bytes the
        // line cannot fit, so stop writing it.
        guard writeInline(v, into: &s, byteLimit: budget * 4) else { return nil }
        // Characters never outnumber UTF-8 bytes: count them only when needed.
        return s.utf8.count <= budget || s.count <= budget ? s : nil
    }

    /// `writeCompact(spaced: true)` that gives up (false) once the text
    /// passes `byteLimit` bytes.
    private static func writeInline(_ v: JSONValue, into out: inout String, byteLimit: Int) -> Bool {
        switch v {
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                guard writeInline(item, into: &out, byteLimit: byteLimit) else { return false }
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (k, x)) in members.enumerated() {
                if i > 0 { out += ", " }
                writeString(k, into: &out)
                out += ": "
                guard writeInline(x, into: &out, byteLimit: byteLimit) else { return false }
            }
            out += "}"
        default:
            writeCompact(v, into: &out, spaced: true)
        }
        return out.utf8.count <= byteLimit
    }

    static func writeCompact(_ v: JSONValue, into out: inout String, spaced: Bool) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d):
            if d.rounded() == d && abs(d) < 1e15 { out += String(Int64(d)) } else { out += "\(d)" }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += spaced ? ", " : "," }
                writeCompact(item, into: &out, spaced: spaced)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (k, x)) in members.enumerated() {
                if i > 0 { out += spaced ? ", " : "," }
                writeString(k, into: &out)
                out += spaced ? ": " : ":"
                writeCompact(x, into: &out, spaced: spaced)
            }
            out += "}"
        }
    }

    /// RFC 8259's escapes, and `\\uXXXX` for every other character a
    /// terminal must not get raw (DEL, C1, U+2028/2029, the bidirectional
    /// overrides: `ControlCharacters.isEscaped`), so JSON printed on a
    /// terminal is as safe as text and still reads back the same.
    static func writeString(_ s: String, into out: inout String) {
        // 0x7F is DEL; C1 and the others start with 0xC2 or 0xE2 (then checked one by one).
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || ControlCharacters.isEscaped(u):
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
