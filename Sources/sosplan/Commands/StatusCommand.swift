import ArgumentParser
import Foundation
import SosplanCore
import SosplanDrivers
import SosplanReact

/// `sosplan status`: the last applied plan, when and by which trigger, and
/// whether the host has drifted from it. Exit 0 in sync, 2 drifted (or
/// never applied, or an apply did not finish), 1 error.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the last apply and whether the host has drifted from it.",
        discussion: """
            Observes the host and compares it with the state recorded right after the last apply \
            that converged (in --state-dir), plans that layout again, and looks for sosplan slices \
            whose every CPU went offline (cgroup v2 would run them on their parent's CPUs). Each \
            difference is named, e.g. 'sosplan-web.slice: AllowedCPUs 2-3 → 1' after a \
            'systemctl set-property' behind sosplan's back.

            Exit codes: 0 in sync, 2 drifted (also: never applied, or an apply did not finish), \
            1 error. --metrics FILE writes the Prometheus textfile-collector form atomically.
            """)

    @OptionGroup var host: HostOptions

    @Option(name: .long, help: "Output format: text or json (the sosplan.status/v1 object).")
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp("Also write Prometheus textfile metrics to FILE (atomically).", valueName: "FILE"))
    var metrics: String?

    func run() throws {
        let applyHost = try host.makeApplyHost()
        let status: HostStatus
        do {
            status = try StatusCheck.run(host: applyHost, state: host.stateDirectory)
        } catch {
            throw Failure.report("cannot check the host: \(error)")
        }
        if let metrics {
            do { try MetricsFile.write(status, version: Sosplan.configuration.version ?? "", to: metrics) } catch {
                throw Failure.report("cannot write the metrics to '\(metrics)': \(error)")
            }
        }
        switch format {
        case .json: Terminal.out(JSONWriter.pretty(status.jsonValue()) + "\n")
        case .text: Terminal.out(StatusText.render(status))
        }
        if status.exitCode != 0 { throw ExitCode(status.exitCode) }
    }
}
