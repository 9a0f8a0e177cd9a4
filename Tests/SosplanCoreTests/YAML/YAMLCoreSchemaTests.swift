import SosplanCore
import Testing

/// YAML 1.2 core-schema typing of plain scalars, and quoting.
@Suite struct YAMLCoreSchemaTests {
    @Test(arguments: [
        ("", YAMLScalarValue.null), ("~", .null), ("null", .null), ("true", .bool(true)), ("False", .bool(false)),
        ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)), ("0o17", .int(15)), ("0x1F", .int(31)),
        ("1.5", .float(1.5)), ("1e3", .float(1000)), (".inf", .float(.infinity)), ("yes", .string("yes", quoted: false)),
        ("0-3", .string("0-3", quoted: false)), ("4Gi", .string("4Gi", quoted: false)), ("1.", .float(1)),
        ("99999999999999999999", .int(nil)), ("-", .string("-", quoted: false)), ("0x", .string("0x", quoted: false)),
    ])
    func plainScalars(_ text: String, _ expected: YAMLScalarValue) {
        #expect(YAMLNode.resolvePlain(text) == expected)
    }

    @Test func quotesAndTags() throws {
        let r = YAMLParser.parse("a: \"4\"\nb: !!str 4\nc: !!int \"7\"\ne: !!int abc\n", file: "t")
        let values = try #require(r.root?.mapping).map(\.value.resolvedScalar)
        #expect(values == [.string("4", quoted: true), .string("4", quoted: true), .int(7), .badTag("tag:yaml.org,2002:int")])
    }

    /// A tag outside the core schema is refused by the reader itself, at the
    /// tag, whatever node carries it: no layout field ever sees it.
    @Test(arguments: [
        ("d: !x 1\n", "1:4", "unknown tag '!x' on a value"),
        ("d: !!python/object:os.system {a: 1}\n", "1:4", "unknown tag '!!python/object:os.system' on a mapping"),
        ("d:\n  - !!binary aGk=\n", "2:5", "unknown tag '!!binary' on a value"),
        ("d: !!set {a, b}\n", "1:4", "unknown tag '!!set' on a mapping"),
        ("d: !custom [1]\n", "1:4", "unknown tag '!custom' on a list"),
        ("!root {d: 1}\n", "1:1", "unknown tag '!root' on a mapping"),
        ("d: !!seq {a: 1}\n", "1:4", "the tag '!!seq' does not fit a mapping"),
    ])
    func unknownTagsAreErrorsAtTheirPosition(_ text: String, _ position: String, _ message: String) {
        let r = YAMLParser.parse(text, file: "t")
        #expect(r.root == nil)
        let d = r.diagnostics.first
        #expect(d.map { "\($0.mark!.line):\($0.mark!.column)" } == position)
        #expect(d?.message.hasPrefix(message) == true, "\(d?.message ?? "no diagnostic")")
    }
}
