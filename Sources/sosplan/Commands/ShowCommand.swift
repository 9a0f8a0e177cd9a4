import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore

/// `sosplan show`: a picture of who owns which CPU and memory, for a
/// terminal (colours unless NO_COLOR, --no-color or a pipe) and as SVG.
struct ShowCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "show",
        abstract: "Draw who owns which CPU and memory: terminal colours, or an SVG file.",
        discussion: """
            Packages, NUMA nodes, cores and hardware threads, each thread marked with its owner \
            (host, shared pool, service, enclave, co-kernel pool, offline). Without colours every \
            CPU still carries its owner's code; the legend explains the codes.
            """,
        arguments: [ArgumentSpec("LAYOUT", help: "A host layout: draw the placement its plan would make.", optional: true)],
        options: HostOptions.options + [
            .value("snapshot", "FILE", help: "Draw a saved snapshot (observe -o) instead of observing.", completion: .file),
            .value("svg", "FILE", help: "Also write the picture as SVG to FILE.", completion: .file),
            .flag("no-color", help: "Do not colour the terminal picture."),
        ])

    var layout: String?
    var host: HostOptions
    var snapshot: String?
    var svg: String?
    var noColor: Bool

    init(_ p: ParsedCommand) {
        layout = p.argument(0)
        host = HostOptions(p)
        snapshot = p.value("snapshot")
        svg = p.value("svg")
        noColor = p.flag("no-color")
    }

    func validate() throws {
        try host.validate()
        if snapshot != nil && host.rootOption != nil {
            throw UsageError("--snapshot and --root both say where the host comes from; give one")
        }
    }

    func run() throws {
        let picture: OwnershipPicture
        var isolation = ""
        if let path = layout {
            let layout = try LayoutInput.load(path)
            let live = host.liveHost()
            let state = try host.loadSnapshot(from: snapshot, unitNames: LayoutInput.unitNames(layout), live: live)
            let result = Planner(layout: layout, snapshot: state, capabilities: live.capabilities).plan()
            if !result.diagnostics.isEmpty { Terminal.err(DiagnosticFormatter.text(result.diagnostics)) }
            guard let plan = result.plan else { throw ExitCode(1) }
            var ownership = CPUOwnership.planned(plan, on: state)
            ownership.applications = CPUOwnership.applications(of: plan.placement)
            ownership.nearOwners = CPUOwnership.nearOwners(of: plan.placement)
            markHotplug(&ownership, now: state)
            picture = OwnershipPicture(snapshot: state, ownership: ownership)
            isolation = IsolationText.showLines(layout: layout, placement: plan.placement, now: state)
        } else {
            let state = try host.loadSnapshot(from: snapshot, live: host.liveHost())
            var ownership = CPUOwnership.observed(state)
            if let applied = lastApplied {
                ownership.applications = CPUOwnership.applications(of: applied.plan.placement)
                ownership.nearOwners = CPUOwnership.nearOwners(of: applied.plan.placement)
            }
            markHotplug(&ownership, now: state)
            picture = OwnershipPicture(snapshot: state, ownership: ownership)
            if let applied = lastApplied, let source = applied.layout, let layout = LayoutDecoder.decode(source.text, file: source.file).layout {
                isolation = IsolationText.showLines(layout: layout, placement: applied.plan.placement, now: state)
            }
        }
        if let svg { try OutputFile.write(OwnershipSVGRenderer.render(picture), to: svg, what: "SVG") }
        let colors = !noColor && Terminal.colorsEnabled()
        let text = OwnershipTextRenderer.render(picture, colors: colors, width: Terminal.width)
        if colors { Terminal.outStyled(text) } else { Terminal.out(text) }
        // What lands on isolated CPUs names IRQs from /proc/interrupts: escaped.
        Terminal.out(isolation)
    }

    /// The state recorded by the last apply on this host (not for a saved snapshot).
    var lastApplied: AppliedState? { snapshot == nil ? AppliedState.read(in: host.stateDirectory) : nil }

    func markHotplug(_ ownership: inout CPUOwnership, now: HostSnapshot) {
        if let applied = lastApplied { ownership.markHotplug(since: applied.snapshot, now: now) }
    }
}
