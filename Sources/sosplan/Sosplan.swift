import ArgumentParser
import Glibc
import SosplanDrivers

/// `sosplan`: a declarative reconciler for hosts that run Linux services and
/// co-kernel enclaves side by side.
@main
struct Sosplan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sosplan",
        abstract: "Divide a host's CPUs, memory and hugepages between Linux services and co-kernel enclaves.",
        discussion: """
            Exit codes: 0 success (plan: no changes; apply: converged), 1 invalid input or error \
            (apply: failed and rolled back), 2 (plan) changes to make, 3 (apply) failed and \
            could not roll back entirely.
            """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, ObserveCommand.self, PlanCommand.self, ApplyCommand.self, ShowCommand.self,
            ReconcileCommand.self, StatusCommand.self, InstallCommand.self, JobCommand.self,
        ])

    /// ArgumentParser's own `main`, with its error messages (which quote the
    /// arguments given) written through `Terminal`, escaped like every
    /// output. Help, versions and completion scripts are sosplan's own text.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success {
                    RawFile.writeAll(STDOUT_FILENO, (message + "\n").utf8)
                } else {
                    Terminal.err(message + "\n")
                }
            }
            Glibc.exit(code.rawValue)
        }
    }
}
