import SosplanCore

/// How `validate` prints its findings.
enum ValidationFormat: String, CaseIterable {
    /// `FILE:LINE:COLUMN: error: MESSAGE` on stderr, `FILE: valid` on stdout.
    case text
    /// One JSON document on stdout: `{"files": [{"file", "valid", "diagnostics"}]}`.
    case json
    /// GitHub workflow annotations (`::error file=F,line=L,col=C::MESSAGE`) on stdout.
    case github
}

/// The outcome of validating one file.
struct ValidationReport {
    var file: String
    var diagnostics: [Diagnostic]

    var isValid: Bool { !diagnostics.hasErrors }

    /// Renders all reports: what goes to stdout and what to stderr.
    static func render(_ reports: [ValidationReport], as format: ValidationFormat) -> (out: String, err: String) {
        switch format {
        case .text:
            var out = "", err = ""
            for r in reports {
                err += DiagnosticFormatter.text(r.diagnostics)
                let warnings = r.diagnostics.filter { $0.severity == .warning }.count
                if r.isValid {
                    out += "\(r.file): valid" + (warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : "") + "\n"
                }
            }
            return (out, err)
        case .github:
            return (reports.flatMap(\.diagnostics).map { DiagnosticFormatter.github($0) + "\n" }.joined(), "")
        case .json:
            let files: [JSONValue] = reports.map { r in
                .object([
                    ("file", .string(r.file)),
                    ("valid", .bool(r.isValid)),
                    ("diagnostics", .array(r.diagnostics.map(DiagnosticFormatter.json))),
                ])
            }
            return (JSONWriter.pretty(.object([("files", .array(files))])), "")
        }
    }
}
