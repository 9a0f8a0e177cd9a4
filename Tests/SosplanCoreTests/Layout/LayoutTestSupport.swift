import SosplanCore
import Testing

/// Wraps a `spec:` body (indented by two) in a valid document frame.
func layoutText(_ spec: String, name: String = "t") -> String {
    "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata:\n  name: \(name)\nspec:\n" + spec
}

/// Decodes a `spec:` body and requires it to be valid.
func validLayout(_ spec: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> HostLayout {
    let result = LayoutDecoder.decode(layoutText(spec), file: "t.yaml")
    #expect(!result.diagnostics.hasErrors, "\(DiagnosticFormatter.text(result.diagnostics))", sourceLocation: sourceLocation)
    return try #require(result.layout, sourceLocation: sourceLocation)
}

/// Decodes a `spec:` body and returns its diagnostics as text lines (the
/// first line of each: `t.yaml:L:C: error: MESSAGE`).
func problems(_ spec: String) -> [String] {
    LayoutDecoder.decode(layoutText(spec), file: "t.yaml").diagnostics.map {
        DiagnosticFormatter.text($0).split(separator: "\n")[0].description
    }
}

/// One Linux service's spec from its fields (indented by six).
func service(_ fields: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ServiceSpec {
    let layout = try validLayout("  services:\n    - name: web\n      units: [nginx.service]\n" + fields, sourceLocation: sourceLocation)
    return try #require(layout.services.first, sourceLocation: sourceLocation)
}
