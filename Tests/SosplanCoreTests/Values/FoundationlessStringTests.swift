import Foundation
import SosplanCore
import Testing

/// Core's replacements for Foundation's string methods give what Foundation gave.
@Suite struct FoundationlessStringTests {
    static let texts = [
        "", "plain", "a,b,,c", "100%", "line\nbreak", "crlf\r\nline", "'quoted'", "$$HOME$$", "a\u{0301},b", "%0A%",
        "naïve — ünïcode ✓", "\\back\\slash\"",
    ]
    static let pairs: [(String, String)] = [
        (",", ", "), ("%", "%25"), ("\n", "%0A"), ("\r", "%0D"), ("'", #"'\''"#), ("$$", "$"), ("\\", "\\\\"), ("\"", "\\\""),
    ]

    @Test(arguments: texts)
    func replacingTextIsReplacingOccurrences(text: String) {
        for (target, replacement) in Self.pairs {
            #expect(text.replacingText(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement))
        }
    }

    @Test(arguments: ["", "  ", " yes ", "\tyes\n", "\r\nboot-id\r\n", "\u{00A0}x\u{2003}", "in ner", "\u{0085}a b\u{2028}"])
    func trimmingWhitespaceIsTrimmingWhitespacesAndNewlines(text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
