/// The one way text from an input (a name, an argument, a host name, an
/// enclave id, a value in a saved file) is shown to a person: every control
/// character as an escape (`\n`, `\r`, `\t`, `\0`, `\e`, `\x07`, `\u{85}`),
/// so that nothing read from a file or a tool moves a terminal's cursor,
/// changes its colours, rings it, or starts a line that looks like sosplan's
/// own. The Unicode bidirectional overrides and isolates are escaped too:
/// they make text read in another order than it is stored.
///
/// Backslashes stay as they are (systemd's `\x2d` in unit names reads as
/// it should), so an escape is not always distinguishable from the same
/// characters typed; the point is that the terminal never sees the raw ones.
extension ControlCharacters {
    /// Whether `c` is shown as an escape: a control character (`isControl`)
    /// or a bidirectional formatting character (U+202A-U+202E, U+2066-U+2069).
    public static func isEscaped(_ c: Unicode.Scalar) -> Bool {
        isControl(c) || (0x202A...0x202E).contains(c.value) || (0x2066...0x2069).contains(c.value)
    }

    /// `s` with every character `isEscaped` says shown as an escape.
    /// `keepingNewlines` leaves `\n` as it is: for whole outputs whose lines
    /// are sosplan's own (the terminal edge), where each value in them was
    /// escaped when it was put into a line.
    public static func escaped(_ s: String, keepingNewlines: Bool = false) -> String {
        guard needsEscaping(s, keepingNewlines: keepingNewlines) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for c in s.unicodeScalars {
            guard isEscaped(c), !(keepingNewlines && c == "\n") else {
                out.unicodeScalars.append(c)
                continue
            }
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            case "\u{1B}": out += "\\e"
            default:
                let hex = String(c.value, radix: 16)
                out += c.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
        }
        return out
    }

    /// A value for a one-line message: escaped, and cut in the middle when
    /// longer than `limit` characters (the length is said), so a 300,000
    /// character value does not come back whole in the message about it.
    public static func shown(_ s: String, limit: Int = 80) -> String {
        let e = escaped(s)
        guard e.count > limit else { return e }
        let head = max(limit * 3 / 5, 1), tail = max(limit / 5, 1)
        return String(e.prefix(head)) + "…" + String(e.suffix(tail)) + " (\(s.count) characters)"
    }

    /// A byte scan: nearly all text has nothing to escape and is returned
    /// as it is. C0 and DEL are single bytes; C1 (U+0080-U+009F) starts
    /// with 0xC2; U+2028/2029 and the bidirectional characters with 0xE2.
    static func needsEscaping(_ s: String, keepingNewlines: Bool) -> Bool {
        // Over the contiguous UTF-8 (a native string's): a whole plan's JSON
        // passes here on its way out, and the view's iterator cost 5× more.
        if let found = s.utf8.withContiguousStorageIfAvailable({ needsEscaping($0, keepingNewlines: keepingNewlines) }) {
            return found
        }
        return needsEscaping(s.utf8, keepingNewlines: keepingNewlines)
    }

    private static func needsEscaping<Bytes: Sequence<UInt8>>(_ bytes: Bytes, keepingNewlines: Bool) -> Bool {
        var previous: UInt8 = 0, beforePrevious: UInt8 = 0
        for b in bytes {
            if b < 0x20 || b == 0x7F {
                if !(keepingNewlines && b == 0x0A) { return true }
            } else if previous == 0xC2, (0x80...0x9F).contains(b) {
                return true
            } else if beforePrevious == 0xE2, previous == 0x80, (0xA8...0xAE).contains(b) {
                return true
            } else if beforePrevious == 0xE2, previous == 0x81, (0xA6...0xA9).contains(b) {
                return true
            }
            beforePrevious = previous
            previous = b
        }
        return false
    }
}
