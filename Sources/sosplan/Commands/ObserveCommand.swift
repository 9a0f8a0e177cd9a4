import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanCore

/// `sosplan observe`: what the host has (topology, memory, hugepages,
/// offline CPUs and who holds them), as a summary or as the snapshot JSON.
struct ObserveCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "observe",
        abstract: "Print the host's topology and free resources; -o saves a snapshot.",
        discussion: """
            The text form is a summary for people; --format json prints the snapshot \
            (schema sosplan.snapshot/v1) that 'plan --snapshot' and 'show --snapshot' read; \
            --format nrt prints a Kubernetes NodeResourceTopology (topology.node.k8s.io/v1alpha2) \
            for the host, without a layout (see 'status --format nrt' for the applied one). \
            With --root DIR the host is read from a snapshot folder holding sys/ and proc/.
            """,
        options: HostOptions.options + [
            .choice("format", HostOutputFormat.self, default: .text, help: "Output format: text, json or nrt (a Kubernetes NodeResourceTopology)."),
        ] + NodeResourceTopologyOptions.options + [
            OptionSpec(long: nil, short: "o", kind: .single, valueName: "FILE", help: "Also write the snapshot JSON to FILE.", completion: .file),
            .repeated("unit", "UNIT", help: "Also observe this systemd unit (repeatable); sosplan's own units and the host's are always observed."),
        ])

    var host: HostOptions
    var format: HostOutputFormat
    var nrt: NodeResourceTopologyOptions
    var output: String?
    var units: [String]

    init(_ p: ParsedCommand) throws(UsageError) {
        host = HostOptions(p)
        format = try p.choice("format")
        nrt = NodeResourceTopologyOptions(p)
        output = p.value("o")
        units = p.values("unit")
    }

    func validate() throws {
        try host.validate()
        try nrt.validate()
    }

    func run() throws {
        let snapshot: HostSnapshot
        do {
            snapshot = try host.liveHost().observe(unitNames: units)
        } catch {
            throw Failure.report("\(error)", hint: host.root.map { _ in "--root expects a folder holding sys/devices/system/cpu (and proc/), such as a copy of / or an unpacked fixture" })
        }
        if let output { try OutputFile.write(snapshot.jsonText(), to: output, what: "snapshot") }
        switch format {
        case .text: Terminal.out(SnapshotSummaryRenderer.render(snapshot))
        case .json: Terminal.outJSON(snapshot.jsonValue())
        case .nrt: Terminal.out(try NodeResourceTopologyOutput.render(snapshot, applied: nil, options: nrt))
        }
    }
}
