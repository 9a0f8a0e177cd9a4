import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanCore
import SosplanApply
import SosplanDrivers
import SosplanReact

/// `sosplan status`: the last applied plan, when and by which trigger, and
/// whether the host has drifted from it. Exit 0 in sync, 2 drifted (or
/// never applied, or an apply did not finish), 1 error.
struct StatusCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "status",
        abstract: "Show the last apply and whether the host has drifted from it.",
        discussion: """
            Observes the host and compares it with the state recorded right after the last apply \
            that converged (in --state-dir), plans that layout again, and looks for sosplan slices \
            whose every CPU went offline (cgroup v2 would run them on their parent's CPUs). Each \
            difference is named, e.g. 'sosplan-web.slice: AllowedCPUs 2-3 → 1' after a \
            'systemctl set-property' behind sosplan's back.

            Exit codes: 0 in sync, 2 drifted (also: never applied, or an apply did not finish), \
            1 error. --metrics FILE writes the Prometheus textfile-collector form atomically.

            --format nrt prints a Kubernetes NodeResourceTopology (topology.node.k8s.io/v1alpha2) \
            of the host as applied: allocatable leaves out the host's confined CPUs and the \
            enclaves, available also what services were given. Never applied: the host as \
            'observe --format nrt' sees it. The exit code is the same as for the other formats.
            """,
        options: HostOptions.options + [
            .choice("format", HostOutputFormat.self, default: .text, help: "Output format: text, json (the sosplan.status/v1 object) or nrt (a Kubernetes NodeResourceTopology)."),
        ] + NodeResourceTopologyOptions.options + [
            .value("metrics", "FILE", help: "Also write Prometheus textfile metrics to FILE (atomically).", completion: .file),
        ])

    var host: HostOptions
    var format: HostOutputFormat
    var nrt: NodeResourceTopologyOptions
    var metrics: String?

    init(_ p: ParsedCommand) throws(UsageError) {
        host = HostOptions(p)
        format = try p.choice("format")
        nrt = NodeResourceTopologyOptions(p)
        metrics = p.value("metrics")
    }

    func validate() throws {
        try host.validate()
        try nrt.validate()
    }

    func run() throws {
        let applyHost = try host.makeApplyHost()
        let inspection: StatusCheck.Inspection
        do {
            inspection = try StatusCheck.inspect(host: applyHost, state: host.stateDirectory)
        } catch let damage as StateFileReader.Damage {
            throw Failure.report("cannot tell the host's status: \(damage.description)", hint: damage.remedy)
        } catch {
            throw Failure.report("cannot check the host: \(error)")
        }
        for damage in StateFiles.damages(in: host.stateDirectory, journal: false) where !damage.path.hasSuffix(AppliedState.fileName) {
            Terminal.err("warning: \(damage.description)\nhint: \(damage.remedy)\n")
        }
        let status = inspection.status
        if let metrics {
            do { try MetricsFile.write(status, version: Sosplan.version, to: metrics) } catch {
                throw Failure.report("cannot write the metrics to '\(metrics)': \(error)")
            }
        }
        switch format {
        case .json: Terminal.out(JSONWriter.pretty(status.jsonValue()) + "\n")
        case .text: Terminal.out(StatusText.render(status))
        case .nrt: Terminal.out(try nodeResourceTopology(inspection, applyHost))
        }
        if status.exitCode != 0 { throw ExitCode(status.exitCode) }
    }

    /// The host as applied; as observed now when nothing was applied (or
    /// the applied layout no longer decodes).
    private func nodeResourceTopology(_ inspection: StatusCheck.Inspection, _ applyHost: ApplyHost) throws -> String {
        let now: HostSnapshot
        do { now = try inspection.now ?? applyHost.observe([]) } catch {
            throw Failure.report("cannot observe the host: \(error)")
        }
        let applied = inspection.layout.flatMap { layout in
            inspection.applied.map { NodeResourceTopologyBuilder.Applied(layout: layout, placement: $0.plan.placement) }
        }
        return try NodeResourceTopologyOutput.render(now, applied: applied, options: nrt)
    }
}
