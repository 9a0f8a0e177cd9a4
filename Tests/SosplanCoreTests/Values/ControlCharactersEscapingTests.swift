import SosplanCore
import Testing

/// `ControlCharacters.escaped` is the one way input text reaches a person:
/// nothing that moves a terminal's cursor, colours it or starts a line gets
/// through raw, and everything else is left exactly as it is.
@Suite struct ControlCharactersEscapingTests {
    @Test func eachKindOfControlCharacterIsShownAsAnEscape() {
        #expect(ControlCharacters.escaped("a\nb\rc\td\0e") == "a\\nb\\rc\\td\\0e")
        #expect(ControlCharacters.escaped("\u{1B}[2Jred\u{07}") == "\\e[2Jred\\x07")
        #expect(ControlCharacters.escaped("del\u{7F} nel\u{85} csi\u{9B}") == "del\\x7f nel\\u{85} csi\\u{9b}")
        #expect(ControlCharacters.escaped("ls\u{2028}ps\u{2029}") == "ls\\u{2028}ps\\u{2029}")
        // Bidirectional overrides and isolates make text read in another order.
        #expect(ControlCharacters.escaped("a\u{202E}b\u{2066}c\u{2069}") == "a\\u{202e}b\\u{2066}c\\u{2069}")
    }

    @Test func textWithoutControlCharactersIsUnchanged() {
        for s in ["", "nginx.service", "dev-disk-by\\x2duuid.device", "größe 4 GiB · €", "日本語", "emoji 🧪", "tab-free"] {
            #expect(ControlCharacters.escaped(s) == s)
        }
    }

    @Test func newlinesAreKeptOnlyWhenAsked() {
        #expect(ControlCharacters.escaped("one\ntwo\u{1B}", keepingNewlines: true) == "one\ntwo\\e")
        #expect(ControlCharacters.escaped("one\ntwo", keepingNewlines: false) == "one\\ntwo")
    }

    /// The byte scan that skips work agrees with the per-character rule for
    /// every character of the first planes' interesting ranges.
    @Test func theFastPathAgreesWithTheRule() {
        let ranges: [ClosedRange<UInt32>] = [0...0x3000, 0xFE00...0xFFFF, 0x1F300...0x1F400]
        for range in ranges {
            for v in range {
                guard let c = Unicode.Scalar(v) else { continue }
                let s = "x" + String(Character(c)) + "y"
                #expect((ControlCharacters.escaped(s) != s) == ControlCharacters.isEscaped(c), "U+\(String(v, radix: 16))")
            }
        }
    }

    @Test func longValuesAreCutInTheMiddleWithTheirLength() {
        let long = String(repeating: "a", count: 300) + "\n" + String(repeating: "b", count: 300)
        let shown = ControlCharacters.shown(long)
        #expect(shown.hasPrefix(String(repeating: "a", count: 48) + "…"))
        #expect(shown.hasSuffix(String(repeating: "b", count: 16) + " (601 characters)"))
        #expect(!shown.contains("\n"))
        #expect(ControlCharacters.shown("short\u{1B}") == "short\\e")
    }
}
