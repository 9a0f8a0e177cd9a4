/// Serializes `JSONValue`s: pretty (two-space indent, short scalar-only
/// arrays and flat objects on one line, as in the CLI contract) or compact.
/// Writes UTF-8 bytes into one buffer (a plan of 1,000 services is ~1 MB):
/// appending to a `String` piece by piece cost twice as much.
public enum JSONWriter {
    /// The widest a value may be to be printed on one line in pretty output.
    static let inlineWidth = 110

    public static func pretty(_ v: JSONValue) -> String {
        String(decoding: prettyBytes(v), as: UTF8.self)
    }

    /// `pretty` as UTF-8 bytes, ending in a newline.
    public static func prettyBytes(_ v: JSONValue) -> [UInt8] {
        var out = JSONBytes()
        writePretty(v, indent: 0, into: &out)
        out.append(0x0A)
        return out.bytes
    }

    public static func compact(_ v: JSONValue) -> String {
        String(decoding: compactBytes(v), as: UTF8.self)
    }

    /// `compact` as UTF-8 bytes.
    public static func compactBytes(_ v: JSONValue) -> [UInt8] {
        var out = JSONBytes()
        writeCompact(v, into: &out, spaced: false)
        return out.bytes
    }

    static func writePretty(_ v: JSONValue, indent: Int, into out: inout JSONBytes) {
        switch v {
        case .array(let items) where !items.isEmpty:
            // Each item takes at least 2 characters inline ("1, "): longer
            // arrays cannot fit, so do not build their line just to drop it.
            if items.count * 2 <= inlineWidth - indent, isFlat(v), writeInline(v, budget: inlineWidth - indent, into: &out) {
                return
            }
            out.append(ascii: "[\n")
            for (i, item) in items.enumerated() {
                out.pad(indent + 2)
                writePretty(item, indent: indent + 2, into: &out)
                out.append(ascii: i + 1 < items.count ? ",\n" : "\n")
            }
            out.pad(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            if isFlat(v), writeInline(v, budget: inlineWidth - indent, into: &out) {
                return
            }
            out.append(ascii: "{\n")
            for (i, (key, value)) in members.enumerated() {
                out.pad(indent + 2)
                writeString(key, into: &out)
                out.append(ascii: ": ")
                writePretty(value, indent: indent + 2, into: &out)
                out.append(ascii: i + 1 < members.count ? ",\n" : "\n")
            }
            out.pad(indent)
            out.append(UInt8(ascii: "}"))
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

    /// Writes `v` on one line when it fits in `budget` characters; otherwise
    /// writes nothing and returns false.
    static func writeInline(_ v: JSONValue, budget: Int, into out: inout JSONBytes) -> Bool {
        let start = out.count
        // A character is at most 4 UTF-8 bytes: past 4 × budget bytes the
        // line cannot fit, so stop writing it.
        if writeInline(v, into: &out, from: start, byteLimit: budget * 4) {
            // Characters never outnumber UTF-8 bytes: count them only when needed.
            if out.count - start <= budget || out.characterCount(from: start) <= budget { return true }
        }
        out.truncate(to: start)
        return false
    }

    /// `writeCompact(spaced: true)` that gives up (false) once the text
    /// since `start` passes `byteLimit` bytes.
    private static func writeInline(_ v: JSONValue, into out: inout JSONBytes, from start: Int, byteLimit: Int) -> Bool {
        switch v {
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(ascii: ", ") }
                guard writeInline(item, into: &out, from: start, byteLimit: byteLimit) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (k, x)) in members.enumerated() {
                if i > 0 { out.append(ascii: ", ") }
                writeString(k, into: &out)
                out.append(ascii: ": ")
                guard writeInline(x, into: &out, from: start, byteLimit: byteLimit) else { return false }
            }
            out.append(UInt8(ascii: "}"))
        default:
            writeCompact(v, into: &out, spaced: true)
        }
        return out.count - start <= byteLimit
    }

    static func writeCompact(_ v: JSONValue, into out: inout JSONBytes, spaced: Bool) {
        switch v {
        case .null: out.append(ascii: "null")
        case .bool(let b): out.append(ascii: b ? "true" : "false")
        case .int(let i): out.append(decimal: i)
        case .uint(let u): out.append(decimal: u)
        case .double(let d):
            if d.rounded() == d && abs(d) < 1e15 { out.append(decimal: Int64(d)) } else { out.append(text: "\(d)") }
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(ascii: spaced ? ", " : ",") }
                writeCompact(item, into: &out, spaced: spaced)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, (k, x)) in members.enumerated() {
                if i > 0 { out.append(ascii: spaced ? ", " : ",") }
                writeString(k, into: &out)
                out.append(ascii: spaced ? ": " : ":")
                writeCompact(x, into: &out, spaced: spaced)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8259's escapes, and `\\uXXXX` for every other character a
    /// terminal must not get raw (DEL, C1, U+2028/2029, the bidirectional
    /// overrides: `ControlCharacters.isEscaped`), so JSON printed on a
    /// terminal is as safe as text and still reads back the same.
    static func writeString(_ s: String, into out: inout JSONBytes) {
        out.append(UInt8(ascii: "\""))
        // 0x7F is DEL; C1 and the others start with 0xC2 or 0xE2 (then checked one by one).
        func special(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F || b == 0xC2 || b == 0xE2 }
        // Over contiguous UTF-8 where there is some (the view's iterator cost 4× more).
        if !(s.utf8.withContiguousStorageIfAvailable { $0.contains(where: special) } ?? s.utf8.contains(where: special)) {
            out.append(text: s)
            out.append(UInt8(ascii: "\""))
            return
        }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append(ascii: "\\\"")
            case "\\": out.append(ascii: "\\\\")
            case "\n": out.append(ascii: "\\n")
            case "\r": out.append(ascii: "\\r")
            case "\t": out.append(ascii: "\\t")
            case _ where u.value < 0x20 || ControlCharacters.isEscaped(u):
                let hex = String(u.value, radix: 16)
                out.append(text: "\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: UTF8.encode(u) { out.append($0) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
