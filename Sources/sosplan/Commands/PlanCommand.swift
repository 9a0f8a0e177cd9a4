import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanApply
import SosplanDrivers
import SosplanCore

/// `sosplan plan LAYOUT`: where every owner goes and the ordered steps that
/// take the host there. Exit 0 no changes, 2 changes, 1 error (including a
/// layout that does not fit).
struct PlanCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "plan",
        abstract: "Compute the placement and the ordered plan for a layout (a dry run).",
        discussion: """
            Exit codes: 0 no changes, 2 changes to make, 1 error (an invalid layout, a layout \
            that does not fit the host, an unreadable snapshot). With --snapshot FILE the host \
            comes from a saved snapshot (observe -o), which is how CI diffs a layout against a \
            host it cannot reach. -o FILE saves the plan as JSON for 'apply PLAN.json', with the \
            snapshot it was made from and its layout: apply plans that layout again and \
            carries the plan out only if its steps are the same, and names what changed if the \
            host moved on.
            """,
        arguments: [ArgumentSpec("LAYOUT", help: "The host layout.")],
        options: HostOptions.options + [
            .value("snapshot", "FILE", help: "Plan against a saved snapshot instead of observing.", completion: .file),
            .choice("format", OutputFormat.self, default: .text, help: "Output format: text or json."),
            OptionSpec(long: nil, short: "o", kind: .single, valueName: "FILE", help: "Also write the plan JSON to FILE.", completion: .file),
            .flag("check-hostname", help: "Fail as apply would when the layout's metadata.hostname does not name this host (a dry run that refuses what apply refuses)."),
        ])

    var layout: String
    var host: HostOptions
    var snapshot: String?
    var format: OutputFormat
    var output: String?
    var checkHostname: Bool

    init(_ p: ParsedCommand) throws(UsageError) {
        layout = p.arguments[0]
        host = HostOptions(p)
        snapshot = p.value("snapshot")
        format = try p.choice("format")
        output = p.value("o")
        checkHostname = p.flag("check-hostname")
    }

    func validate() throws {
        try host.validate()
        if snapshot != nil && host.rootOption != nil {
            throw UsageError("--snapshot and --root both say where the host comes from; give one")
        }
    }

    func run() throws {
        let (layout, source) = try LayoutInput.loadWithSource(self.layout)
        // Read while the host is observed (a big applied.json takes as long
        // to check as the sysfs probes); said before the plan, as before.
        let stateDirectory = host.stateDirectory
        let unfinished = snapshot == nil ? BackgroundWork { Self.unfinishedApplyWarnings(in: stateDirectory) } : nil
        let live = host.liveHost()
        let state: HostSnapshot
        do { state = try host.loadSnapshot(from: snapshot, unitNames: LayoutInput.unitNames(layout), live: live) } catch {
            unfinished?.wait().forEach(Terminal.err)
            throw error
        }
        unfinished?.wait().forEach(Terminal.err)
        if checkHostname {
            do { try ApplyFailure.checkHost(layout.metadata.hostname, hostname: state.hostname) } catch {
                throw Failure.report(error.description, hint: error.hint)
            }
        }
        let result = Planner(layout: layout, snapshot: state, capabilities: live.capabilities).plan()
        if !result.diagnostics.isEmpty { Terminal.err(DiagnosticFormatter.text(result.diagnostics)) }
        guard let plan = result.plan else { throw ExitCode(1) }
        if let output {
            var saved = plan
            saved.priorSnapshot = state
            saved.layoutSource = source
            try OutputFile.write(saved.jsonText(), to: output, what: "plan")
        }
        switch format {
        case .text: Terminal.out(PlanFormatter.text(plan))
        case .json: Terminal.outJSON(plan.jsonValue())
        }
        if plan.changes { throw ExitCode(2) }
    }

    /// The host may be half-way through an apply that was killed: the plan
    /// is then made from that state, which the user should know.
    static func unfinishedApplyWarnings(in stateDirectory: StateDirectory) -> [String] {
        // A damaged record is said to be damaged, not taken for "nothing was applied".
        var warnings = StateFiles.damages(in: stateDirectory).map { "warning: \($0.description)\nhint: \($0.remedy)\n" }
        guard let journal = (try? ApplyJournal.read(in: stateDirectory)) ?? nil, !journal.isFinished else { return warnings }
        let h = journal.header
        warnings.append(
            "warning: an apply did not finish (pid \(h.map { String($0.pid) } ?? "?"), started \(h?.startedAt ?? "?")): "
                + "it stopped \(journal.progress)\n"
                + "hint: 'sosplan apply' finishes it, 'sosplan apply --rollback' undoes it\n")
        return warnings
    }
}
