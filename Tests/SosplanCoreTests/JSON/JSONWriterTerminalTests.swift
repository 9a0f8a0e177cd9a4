import Testing
@testable import SosplanCore

/// `sosplan plan/observe --format json` write the writer's bytes without
/// `Terminal.out`'s escaping pass: that is only right while the writer
/// leaves nothing for that pass to escape.
@Suite struct JSONWriterTerminalTests {
    /// Every character `ControlCharacters.isEscaped` names, and neighbours that are not.
    static let nasty: String = {
        var s = ""
        for v: UInt32 in Array(0...0x20) + [0x7F] + Array(0x80...0xA0) + [0x2028, 0x2029] + Array(0x2029...0x202F) + Array(0x2065...0x206A) {
            s.unicodeScalars.append(Unicode.Scalar(v)!)
        }
        return s + "\r\n é ✓ \\ \" end"
    }()

    @Test func prettyJSONNeedsNoTerminalEscaping() throws {
        let value: JSONValue = .object([
            (Self.nasty, .string(Self.nasty)),
            ("list", .array([.string(Self.nasty), .int(-7), .uint(UInt64.max), .double(0.5), .double(1e300), .bool(true), .null])),
            ("short", .object([("k\u{1B}", .string("v\u{202E}"))])),
        ])
        let text = JSONWriter.pretty(value)
        #expect(ControlCharacters.escaped(text, keepingNewlines: true) == text)
        #expect(String(decoding: JSONWriter.prettyBytes(value), as: UTF8.self) == text)
        #expect(try JSONParser.parse(text) == value)
    }
}
