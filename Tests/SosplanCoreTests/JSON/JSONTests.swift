import Testing
@testable import SosplanCore

@Suite struct JSONTests {
    struct Sample: Codable, Equatable {
        var zeta = 1
        var alpha = "x"
        var list: [Int] = [1, 2]
        var big: UInt64 = .max
        var missing: Int? = nil
        var nested = Inner()
        struct Inner: Codable, Equatable { var b = true; var a: [String] = ["q\"\n"] }
    }

    @Test func encoderKeepsDeclarationOrder() throws {
        let v = try JSONValueEncoder().encode(Sample())
        #expect(JSONWriter.compact(v)
            == #"{"zeta":1,"alpha":"x","list":[1,2],"big":18446744073709551615,"nested":{"b":true,"a":["q\"\n"]}}"#)
    }

    @Test func roundTripsThroughTextAndDecoder() throws {
        let text = JSONWriter.pretty(try JSONValueEncoder().encode(Sample()))
        let back = try JSONValueDecoder().decode(Sample.self, from: try JSONParser.parse(text))
        #expect(back == Sample())
    }

    @Test func parserReportsPosition() {
        #expect(throws: JSONParser.Failure(message: "expected ',' or '}'", mark: SourceMark(line: 2, column: 3))) {
            try JSONParser.parse("{\"a\": 1\n  \"b\": 2}")
        }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse("[1, 2] x") }
    }

    /// Small objects compare their keys, large ones (past 16) keep a table:
    /// both find a repeated key, at the second one, with where the first is.
    @Test func aRepeatedKeyIsAnErrorAtItsPosition() {
        #expect(throws: JSONParser.Failure(
            message: "'a' is given twice in this object (first at 1:2)", mark: SourceMark(line: 2, column: 3))) {
            try JSONParser.parse("{\"a\": 1,\n  \"a\": 2}")
        }
        let keys = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ",\n")
        #expect(throws: JSONParser.Failure(
            message: "'k3' is given twice in this object (first at 5:1)", mark: SourceMark(line: 42, column: 1))) {
            try JSONParser.parse("{\n" + keys + ",\n\"k3\": 0}")
        }
        // The same key in different objects is fine; a NUL is placed where it is.
        #expect((try? JSONParser.parse(#"{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}"#)) != nil)
        #expect(throws: JSONParser.Failure(message: "control character in string", mark: SourceMark(line: 2, column: 10))) {
            try JSONParser.parse("{\"a\": 1,\n  \"b\": \"x\u{0}y\"}")
        }
    }

    @Test func decoderNamesThePath() throws {
        struct T: Decodable { var a: [Inner]; struct Inner: Decodable { var n: Int } }
        do {
            _ = try JSONValueDecoder().decode(T.self, from: try JSONParser.parse(#"{"a": [{"n": 1}, {"n": "x"}]}"#))
            Issue.record("expected a decoding error")
        } catch {
            #expect(JSONValueDecoder.describe(error) == "a[1].n: expected an integer")
        }
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = String(repeating: "a", count: 1000)
        #expect(SHA256.hex(long.utf8) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    /// Lengths around the block and padding boundaries (Python's hashlib
    /// gave the digests), hashed whole and fed in uneven pieces.
    @Test func sha256AtBlockBoundariesAndInPieces() {
        let digests = [
            55: "1deace58c745f3ecadde68a5923f494c3703fa73f0306483ccb898a5826e8d70",
            56: "06dbe23685750e4d3881ded95047abaf93fa8f9c5d3501dc57c717a72ff1398e",
            63: "47fb38b12335c9298d09280515c0666489a189d1554bb0ac1a0740806ce9d8b6",
            64: "dfa798724b1a8014994f363e5da7474ed26ce3757fb29e07aa47ad5a9352d37b",
            65: "dd2eab5a5507d7717c63ce953d9ac61752c21e664425ad1227054722a0d97f69",
            127: "2409a159329f4e770a7d8128130497abb1de01ffb6ad389d97d89ebbeeb7f02c",
            128: "3a9c1e22e20578eebe442238f431befd688bd56698eb7c77d95d3f97d8f58207",
            1000: "a9425c416f534025a4e2422bd14adba4ec3d4a68d10c3329be8df612964d2b6e",
        ]
        for (n, digest) in digests {
            let bytes = (0..<n).map { UInt8(($0 * 7 + 3) % 251) }
            #expect(SHA256.hex(bytes) == digest, "\(n) bytes")
            for piece in [1, 3, 63, 64, 65] {
                var s = SHA256()
                var i = 0
                while i < n {
                    s.update(Array(bytes[i..<min(n, i + piece)]))
                    i += piece
                }
                #expect(s.finalizeHex() == digest, "\(n) bytes in pieces of \(piece)")
            }
        }
    }
}
