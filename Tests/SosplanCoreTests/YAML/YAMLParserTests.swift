import Testing
@testable import SosplanCore

@Suite struct YAMLParserTests {
    func parse(_ text: String) -> YAMLParser.Result { YAMLParser.parse(text, file: "t.yaml") }

    @Test func keepsMarksForEveryNode() throws {
        let r = parse("a: 1\nb:\n  - x\n  - {c: d}\n")
        #expect(r.diagnostics.isEmpty)
        let pairs = try #require(r.root?.mapping)
        #expect(pairs[0].key.mark == SourceMark(line: 1, column: 1))
        #expect(pairs[0].value.mark == SourceMark(line: 1, column: 4))
        let items = try #require(pairs[1].value.sequence)
        #expect(items[1].mark == SourceMark(line: 4, column: 5))
        #expect(items[1].mapping?[0].value.scalar == "d")
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let r = parse("name: \"é\"\nx: [é, y]\n")
        let pairs = try #require(r.root?.mapping)
        #expect(pairs[1].value.sequence?[1].mark == SourceMark(line: 2, column: 8))
    }

    @Test func duplicateKeyPointsAtTheSecondKey() {
        let r = parse("host: 1\nspec: 2\nhost: 3\n")
        #expect(r.root == nil)
        #expect(r.diagnostics.map(DiagnosticFormatter.text) == [
            "t.yaml:3:1: error: duplicate key 'host' (first defined at 1:1)\n    hint: YAML keeps only one value per key; remove or rename one of them"
        ])
    }

    @Test func tabIndentationIsAnError() {
        let r = parse("a:\n\tb: 1\n")
        #expect(r.diagnostics.count == 1)
        #expect(r.diagnostics[0].mark == SourceMark(line: 2, column: 1))
        #expect(r.diagnostics[0].message.contains("tab"))
    }

    @Test func secondDocumentIsAnError() {
        let r = parse("a: 1\n---\nb: 2\n")
        #expect(r.diagnostics.map(\.mark) == [SourceMark(line: 2, column: 1)])
    }

    @Test func syntaxErrorCarriesLibyamlsPosition() {
        let r = parse("a: [1, 2\nb: 3\n")
        #expect(r.diagnostics.count == 1)
        #expect(r.diagnostics[0].message.hasPrefix("syntax error: "))
    }

    @Test func invalidUTF8IsLocated() {
        let r = YAMLParser.parse(Array("a: ok\nb: ".utf8) + [0xFF, 0x0A], file: "t.yaml")
        #expect(r.diagnostics.map(\.mark) == [SourceMark(line: 2, column: 4)])
        #expect(r.diagnostics[0].message.contains("UTF-8"))
    }

    /// libyaml refuses these characters but says 1:1 for each; the reader
    /// finds them first and says where they are (columns in characters,
    /// CRLF files placed as LF ones).
    @Test(arguments: [
        ([UInt8]("a: 1\nb: x".utf8) + [0] + [UInt8]("y\n".utf8), "2:5", "a NUL byte"),
        ([UInt8]("a: 1\r\nb: \"é".utf8) + [0] + [UInt8]("\"\r\n".utf8), "2:6", "a NUL byte"),
        ([UInt8]("# c\n\na: ".utf8) + [0x1B] + [UInt8]("[31m\n".utf8), "3:4", "the control character 0x1B"),
        ([UInt8]("a: b".utf8) + [0x7F], "1:5", "the control character 0x7F"),
        ([UInt8]("a: b".utf8) + [0xC2, 0x9B], "1:5", "the control character U+009B"),
        ([UInt8]("a: b".utf8) + [0xEF, 0xBF, 0xBF], "1:5", "the non-character U+FFFF"),
    ])
    func controlCharactersAreLocated(_ bytes: [UInt8], _ position: String, _ name: String) {
        let r = YAMLParser.parse(bytes, file: "f.yaml")
        #expect(r.root == nil)
        let d = r.diagnostics.first
        #expect(d.map { "\($0.mark!.line):\($0.mark!.column)" } == position)
        #expect(d?.message == "\(name) is not allowed in a YAML file")
        // NEL is a YAML line break, and a tab inside a value is allowed.
        #expect(YAMLParser.parse([UInt8]("a: b\tc\n".utf8), file: "f").root != nil)
    }

    @Test func emptyFileIsAnError() {
        #expect(parse("").diagnostics.count == 1)
        #expect(parse("  \n\n").diagnostics.count == 1)
    }

    @Test func oversizedFileIsRefusedBeforeParsing() {
        let big = [UInt8](repeating: 0x23, count: YAMLParser.maximumBytes + 1)
        let r = YAMLParser.parse(big, file: "big.yaml")
        #expect(r.diagnostics.count == 1)
        #expect(r.diagnostics[0].message.contains("1 MiB"))
    }

    @Test func aliasesAndMergeKeysExpand() throws {
        let r = parse("""
            base: &b {cpus: 2, memory: 1Gi}
            svc:
              <<: *b
              cpus: 4
            """)
        #expect(r.diagnostics.isEmpty)
        let svc = try #require(r.root?.mapping?[1].value.mapping)
        #expect(svc.map(\.key.scalar) == ["cpus", "memory"])
        #expect(svc[0].value.scalar == "4")
        #expect(svc[1].value.scalar == "1Gi")
    }

    @Test func billionLaughsIsStopped() {
        var doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var prev = "a"
        for name in ["b", "c", "d", "e", "f", "g"] {
            doc += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ", ") + "]\n"
            prev = name
        }
        let r = parse(doc)
        #expect(r.root == nil)
        #expect(r.diagnostics.count == 1)
        #expect(r.diagnostics[0].message.contains("100000 nodes"))
    }

    @Test func unknownAliasIsAnError() {
        let r = parse("a: *nope\n")
        #expect(r.diagnostics.count == 1)
        #expect(r.diagnostics[0].mark == SourceMark(line: 1, column: 4))
    }

    @Test func quotedScalarsAreNotPlain() throws {
        let r = parse("a: \"4\"\nb: 4\nc: ~\n")
        let p = try #require(r.root?.mapping)
        #expect(p[0].value.plainScalar == nil)
        #expect(p[1].value.plainScalar == "4")
        #expect(p[2].value.isNull)
    }
}
