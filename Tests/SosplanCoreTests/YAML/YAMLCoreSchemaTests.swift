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
        let r = YAMLParser.parse("a: \"4\"\nb: !!str 4\nc: !!int \"7\"\nd: !x 1\ne: !!int abc\n", file: "t")
        let values = try #require(r.root?.mapping).map(\.value.resolvedScalar)
        #expect(values == [.string("4", quoted: true), .string("4", quoted: true), .int(7), .badTag("!x"), .badTag("tag:yaml.org,2002:int")])
    }
}
