import SosplanCommandLine
import SosplanCore
import SosplanDrivers

/// `sosplan validate FILE...`: decodes each layout and runs every check that
/// needs no host. Exit 0 when all files are valid, 1 otherwise.
struct ValidateCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "validate",
        abstract: "Check host layouts without touching the host.",
        discussion: "Exit codes: 0 all files valid, 1 any file invalid or unreadable. FILE '-' reads standard input.",
        arguments: [ArgumentSpec("FILE", help: "Layout files to check.", repeated: true)],
        options: [.choice("format", ValidationFormat.self, default: .text, help: "Output format: text, json or github (workflow annotations).")])

    var format: ValidationFormat
    var files: [String]

    init(_ p: ParsedCommand) throws(UsageError) {
        format = try p.choice("format")
        files = p.arguments
    }

    func run() throws {
        let reports = files.map { path -> ValidationReport in
            let name = InputFile.displayName(path)
            switch InputFile.readLayout(path) {
            case .failure(let diagnostic):
                return ValidationReport(file: name, diagnostics: [diagnostic])
            case .success(let bytes):
                return ValidationReport(file: name, diagnostics: LayoutDecoder.decode(bytes, file: name).diagnostics)
            }
        }
        let (out, err) = ValidationReport.render(reports, as: format)
        Terminal.out(out)
        Terminal.err(err)
        if reports.contains(where: { !$0.isValid }) { throw ExitCode(1) }
    }
}
