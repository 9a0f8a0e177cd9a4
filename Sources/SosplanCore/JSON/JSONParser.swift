/// A strict RFC 8259 parser producing order-preserving `JSONValue`s, used to
/// read saved snapshots and plans (errors carry a line and column).
public struct JSONParser {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var mark: SourceMark
        public var description: String { "\(mark): \(message)" }
    }

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == bytes.count else { throw p.fail("unexpected text after the JSON value") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func fail(_ message: String) -> Failure {
        Failure(message: message, mark: position(of: i))
    }

    private func position(of offset: Int) -> SourceMark {
        var line = 1, col = 1
        for b in bytes[..<min(offset, bytes.count)] {
            if b == 0x0A { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
        }
        return SourceMark(line: line, column: col)
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        guard i < bytes.count else { throw fail("unexpected end of JSON") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
            throw fail("expected a JSON value")
        }
        i += w.count
    }

    private mutating func nest() throws(Failure) {
        depth += 1
        if depth > 512 { throw fail("JSON nested too deeply") }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        try nest()
        defer { depth -= 1 }
        i += 1
        var members: [(String, JSONValue)] = []
        // Where each key starts, and past 16 keys a table of them: a key given
        // twice is an error at the second (RFC 8259 leaves it undefined; which
        // one a reader keeps would decide what a saved file says).
        var keyStarts: [Int] = []
        var keyTable: [String: Int]?
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyStart = i
            let key = try string()
            if let first = firstOccurrence(of: key, in: members, keyStarts, &keyTable) {
                let mark = position(of: first)
                i = keyStart
                throw fail("'\(ControlCharacters.shown(key))' is given twice in this object (first at \(mark.line):\(mark.column))")
            }
            keyStarts.append(keyStart)
            if keyTable != nil { keyTable![key] = keyStart }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipSpace()
            members.append((key, try value()))
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of JSON in an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw fail("expected ',' or '}'")
        }
    }

    /// The start of `key` among the keys so far, if it is there.
    private func firstOccurrence(
        of key: String, in members: [(String, JSONValue)], _ starts: [Int], _ table: inout [String: Int]?
    ) -> Int? {
        if let table { return table[key] }
        if members.count >= 16 {
            var t: [String: Int] = [:]
            for (k, (name, _)) in members.enumerated() { t[name] = starts[k] }
            table = t
            return t[key]
        }
        return members.firstIndex { $0.0 == key }.map { starts[$0] }
    }

    private mutating func array() throws(Failure) -> JSONValue {
        try nest()
        defer { depth -= 1 }
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of JSON in an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw fail("expected ',' or ']'")
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("bad \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("bad \\u escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    private mutating func string() throws(Failure) -> String {
        i += 1
        // Most strings have no escape: validated straight from the input.
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let s = String(validating: bytes[start..<i - 1], as: UTF8.self) else { throw fail("string is not UTF-8") }
                return s
            }
            i += 1
        }
        var buf = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { buf.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw fail("unterminated string") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): buf.append(0x22)
            case UInt8(ascii: "\\"): buf.append(0x5C)
            case UInt8(ascii: "/"): buf.append(0x2F)
            case UInt8(ascii: "b"): buf.append(0x08)
            case UInt8(ascii: "f"): buf.append(0x0C)
            case UInt8(ascii: "n"): buf.append(0x0A)
            case UInt8(ascii: "r"): buf.append(0x0D)
            case UInt8(ascii: "t"): buf.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                // A high surrogate joins only a low one that follows; anything
                // else (a lone half, two highs) becomes U+FFFD, as in Foundation.
                if (0xD800..<0xDC00).contains(code), i + 5 < bytes.count,
                    bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                {
                    let saved = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = saved
                    }
                }
                let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                buf.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw fail("bad escape in string")
            }
        }
        guard let s = String(validating: buf, as: UTF8.self) else { throw fail("string is not UTF-8") }
        return s
    }

    /// A number by JSON's grammar: `-`? (`0` | [1-9][0-9]*) (`.`[0-9]+)?
    /// ([eE][+-]?[0-9]+)?. Swift's `Double(String)` alone would also take
    /// `1.`, `.5`, `01` or `1e+`, which no other reader of the file would.
    private mutating func number() throws(Failure) -> JSONValue {
        if let v = integer() { return .int(v) }
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1 }
            return i - from
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let intDigits = digits()
        guard intDigits > 0 else {
            i = start
            throw fail("expected a JSON value")
        }
        var isInteger = true
        var valid = !(bytes[intStart] == 0x30 && intDigits > 1)
        if valid, i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            isInteger = false
            valid = digits() > 0
        }
        if valid, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            isInteger = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            valid = digits() > 0
        }
        // What follows a number must end it (a delimiter or white space).
        if valid, i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: break
            default: valid = false
            }
        }
        if !valid {
            // Take the rest of the would-be number into the message.
            while i < bytes.count, !Self.endsNumber(bytes[i]) { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            i = start  // the error points at the number
            throw fail("bad number '\(ControlCharacters.escaped(String(text.prefix(40))))'")
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger {
            if let v = Int64(text) { return .int(v) }
            if let v = UInt64(text) { return .uint(v) }
        }
        guard let d = Double(text) else { throw fail("bad number '\(text)'") }
        // A whole number written as `2.5e8` or `214748364.0` is the integer
        // the writer would write for it (JSONWriter: integral doubles below
        // 1e15 are written as integers), so a value reads back as itself.
        if d.rounded() == d && abs(d) < 1e15 { return .int(Int64(d)) }
        return .double(d)
    }

    private static func endsNumber(_ c: UInt8) -> Bool {
        c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09 || c == 0x0A
            || c == 0x0D || c == UInt8(ascii: "\"") || c == UInt8(ascii: ":")
    }

    /// A plain integer (`-`? digits, no leading zero, ending where a number
    /// ends) that fits an Int64, read without making a String; nil leaves
    /// everything else to `number`.
    private mutating func integer() -> Int64? {
        var j = i
        let negative = j < bytes.count && bytes[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        let first = j
        var magnitude: UInt64 = 0
        while j < bytes.count, bytes[j] >= 0x30, bytes[j] <= 0x39, j - first < 18 {
            magnitude = magnitude * 10 + UInt64(bytes[j] - 0x30)
            j += 1
        }
        guard j > first, !(bytes[first] == 0x30 && j - first > 1) else { return nil }
        if j < bytes.count {
            switch bytes[j] {
            case 0x30...0x39, UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"): return nil
            default: break
            }
        }
        i = j
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }
}
