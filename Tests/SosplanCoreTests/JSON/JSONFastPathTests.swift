import Testing
@testable import SosplanCore

/// The parser's and decoder's fast paths (plain integers, strings without
/// escapes, members found by a scan, coding paths joined on error) read
/// what the general paths read.
@Suite struct JSONFastPathTests {
    @Test(arguments: [
        ("0", JSONValue.int(0)), ("-0", .int(0)), ("7", .int(7)), ("-42", .int(-42)),
        ("123456789012345678", .int(123_456_789_012_345_678)), ("1234567890123456789", .int(1_234_567_890_123_456_789)),
        ("-9223372036854775808", .int(Int64.min)), ("18446744073709551615", .uint(UInt64.max)),
        // Whole numbers in any notation are the integers the writer writes for them.
        ("1.5", .double(1.5)), ("1e3", .int(1000)), ("-2E-2", .double(-0.02)), ("10.0", .int(10)),
    ])
    func numbers(text: String, value: JSONValue) throws {
        #expect(try JSONParser.parse("[\(text), \(text)]") == .array([value, value]))
    }

    /// The writer's digits (reversed in place) are `String(v)`'s, for every
    /// length and sign, after other text in the same buffer.
    @Test func writtenIntegersAreTheirDecimalDigits() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, Int64.max, Int64.min, Int64.min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 7, -(p + 3)]
        }
        for v in values {
            #expect(JSONWriter.compact(.array([.string("x"), .int(v)])) == "[\"x\",\(v)]")
        }
        #expect(JSONWriter.compact(.uint(UInt64.max)) == "18446744073709551615")
    }

    @Test func strings() throws {
        #expect(try JSONParser.parse(#"["", "plain", "é ✓", "a\"b", "tab\there", "\u00e9\ud83d\ude00"]"#)
            == .array([.string(""), .string("plain"), .string("é ✓"), .string("a\"b"), .string("tab\there"), .string("é😀")]))
        #expect(throws: JSONParser.Failure(message: "control character in string", mark: SourceMark(line: 1, column: 5))) {
            try JSONParser.parse("[\"ab\n\"]")
        }
        #expect(throws: JSONParser.Failure(message: "string is not UTF-8", mark: SourceMark(line: 1, column: 6))) {
            try JSONParser.parse([0x5B, 0x22, 0x61, 0xFF, 0x22, 0x5D])
        }
    }

    @Test func numbersThatAreNotJSONStillFail() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("-") }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[1x]") }
    }

    struct Inner: Codable, Equatable { var n: Int; var tag: String? }
    struct Outer: Codable, Equatable { var items: [Inner]; var wide: [String: Int] }

    @Test func decodesSmallAndLargeObjectsAndNamesThePathOnError() throws {
        var wide: [(String, JSONValue)] = []
        for i in 0..<40 { wide.append(("k\(i)", .int(i))) }
        let ok: JSONValue = .object([
            ("items", .array([.object([("n", .int(1))]), .object([("tag", .string("x")), ("n", .int(2))])])),
            ("wide", .object(wide)),
        ])
        let decoded = try JSONValueDecoder().decode(Outer.self, from: ok)
        #expect(decoded.items == [Inner(n: 1, tag: nil), Inner(n: 2, tag: "x")])
        #expect(decoded.wide.count == 40 && decoded.wide["k39"] == 39)

        let bad: JSONValue = .object([("items", .array([.object([("n", .int(1))]), .object([("n", .string("two"))])])), ("wide", .object([]))])
        #expect(throws: (any Error).self) {
            do { _ = try JSONValueDecoder().decode(Outer.self, from: bad) } catch {
                #expect(JSONValueDecoder.describe(error) == "items[1].n: expected an integer")
                throw error
            }
        }
        let missing: JSONValue = .object([("items", .array([.object([("tag", .string("x"))])])), ("wide", .object([]))])
        #expect(throws: (any Error).self) {
            do { _ = try JSONValueDecoder().decode(Outer.self, from: missing) } catch {
                #expect(JSONValueDecoder.describe(error) == "items[0].n: missing")
                throw error
            }
        }
    }
}
