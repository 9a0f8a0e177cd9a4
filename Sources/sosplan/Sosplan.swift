import Glibc
import SosplanCommandLine
import SosplanDrivers

/// `sosplan`: a declarative reconciler for hosts that run Linux services and
/// co-kernel enclaves side by side.
@main
enum Sosplan {
    static let version = "0.1.0"

    /// The runnable command at a path below `sosplan` (the leaves of
    /// `spec`; CommandTableTests keeps the two lists equal).
    static func command(_ path: String) -> (any SosplanCommand.Type)? {
        switch path {
        case "validate": ValidateCommand.self
        case "observe": ObserveCommand.self
        case "plan": PlanCommand.self
        case "apply": ApplyCommand.self
        case "show": ShowCommand.self
        case "reconcile": ReconcileCommand.self
        case "status": StatusCommand.self
        case "install": InstallCommand.self
        case "job prolog": JobPrologCommand.self
        case "job epilog": JobEpilogCommand.self
        default: nil
        }
    }

    static let spec = CommandSpec(
        name: "sosplan",
        abstract: "Divide a host's CPUs, memory and hugepages between Linux services and co-kernel enclaves.",
        discussion: """
            Exit codes: 0 success (plan: no changes; apply: converged), 1 invalid input or error \
            (apply: failed and rolled back), 2 (plan) changes to make, 3 (apply) failed and \
            could not roll back entirely.
            """,
        subcommands: [
            ValidateCommand.spec, ObserveCommand.spec, PlanCommand.spec, ApplyCommand.spec, ShowCommand.spec,
            ReconcileCommand.spec, StatusCommand.spec, InstallCommand.spec, JobCommand.spec,
        ],
        version: version)

    /// Parse, then run; usage errors (the parser's and the commands' own
    /// checks) print the usage line and exit 64, as swift-argument-parser
    /// tools do. Everything said goes through `Terminal`, escaped.
    static func main() {
        let request: CommandLineRequest
        do {
            request = try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()), root: spec)
        } catch {
            Terminal.err(HelpText.failure(error.error, path: error.path))
            exit(UsageError.exitCode)
        }
        switch request {
        case .version(let v):
            RawFile.writeAll(STDOUT_FILENO, (v + "\n").utf8)
        case .help(let path):
            RawFile.writeAll(STDOUT_FILENO, HelpText.render(path).utf8)
        case .run(let parsed):
            run(parsed)
        }
        exit(0)
    }

    static func run(_ parsed: ParsedCommand) {
        let name = parsed.path.dropFirst().joined(separator: " ")
        guard let type = command(name) else {
            preconditionFailure("no command for \(name)")
        }
        do {
            let command = try type.init(parsed)
            try command.validate()
            try command.run()
        } catch let error as UsageError {
            Terminal.err(HelpText.failure(error, path: parsed.specs))
            exit(UsageError.exitCode)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            Terminal.err("error: \(error)\n")
            exit(1)
        }
    }
}
