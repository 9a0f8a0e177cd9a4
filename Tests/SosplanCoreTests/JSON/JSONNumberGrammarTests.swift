import Testing
@testable import SosplanCore

/// Numbers by JSON's grammar (RFC 8259 §6), not by what `Double(String)`
/// accepts: a saved plan with `"MemoryMax": 214748364.` read as a double
/// and came back from its own JSON as an integer (found by the plan fuzzer).
@Suite struct JSONNumberGrammarTests {
    @Test(arguments: ["1.", "2.e5", "01", "-01", "00.5", "1e", "1e+", "1E-", "-", "1.5e", "1.5.2", "1e5e5"])
    func notAJSONNumber(_ text: String) throws {
        let failure = try #require(throws: JSONParser.Failure.self) { try JSONParser.parse("[\(text)]") }
        #expect(failure.message.hasPrefix("bad number") || failure.message == "expected a JSON value", "\(failure.message)")
        #expect(failure.mark == SourceMark(line: 1, column: 2), "the error points at the number")
    }

    @Test(arguments: [
        ("0", JSONValue.int(Int64(0))), ("-0", .int(Int64(0))), ("7", .int(Int64(7))), ("0.5", .double(0.5)), ("-0.25", .double(-0.25)),
        ("1e5", .int(Int64(100_000))), ("1E-5", .double(1e-5)), ("-1.25e+3", .int(Int64(-1250))), ("214748364.0", .int(Int64(214_748_364))),
        ("1.5e300", .double(1.5e300)), ("18446744073709551615", .uint(.max)),
        ("-9223372036854775808", .int(Int64.min)), ("123456789012345678901234", .double(123456789012345678901234)),
    ])
    func aJSONNumber(_ text: String, _ value: JSONValue) throws {
        #expect(try JSONParser.parse("[\(text)]") == .array([value]))
        #expect(try JSONParser.parse(" \(text) ") == value)
    }

    /// What the writer writes for a parsed value parses to that value again
    /// (the plan fuzzer's second finding: `214748364.0` read as a double,
    /// was written as `214748364` and read back as an integer).
    @Test(arguments: ["214748364.0", "2.5e8", "-3.0", "0.5", "1e20", "123456789012345678901234", "1e-300"])
    func aParsedNumberReadsBackFromItsOwnJSON(_ text: String) throws {
        let value = try JSONParser.parse("[\(text)]")
        #expect(try JSONParser.parse(JSONWriter.compact(value)) == value, "\(text) → \(JSONWriter.compact(value))")
    }

    @Test func notANumberAtAllIsStillAMissingValue() {
        #expect(throws: JSONParser.Failure(message: "expected a JSON value", mark: SourceMark(line: 1, column: 7))) {
            try JSONParser.parse("{\"a\": x}")
        }
    }

    @Test func theFuzzersPlanIsRefusedWithTheField() throws {
        let error = try #require(throws: (any Error).self) {
            try SavedPlanReader.read(#"{"schema": "sosplan.plan/v1", "steps": [{"after": {"MemoryMax": 214748364.}}]}"#)
        }
        #expect("\(error)".contains("bad number '214748364.'"), "\(error)")
    }
}
