import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// `sosplan apply LAYOUT|PLAN.json`: carries a plan out, journalled and
/// locked, and rolls back on failure. Exit 0 converged (or nothing to do),
/// 1 failed and rolled back (or did not start), 3 failed and could not
/// roll back entirely (the output lists what is left).
struct ApplyCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "apply",
        abstract: "Carry out a layout (or a saved plan) on the host.",
        discussion: """
            With a LAYOUT, apply plans against the host as it is now, shows the plan and asks for \
            confirmation on a terminal (--yes skips the question; without a terminal, --yes is \
            required). With a PLAN.json saved by 'plan -o', it carries out exactly that plan, and \
            refuses it if the host changed since the plan was made.

            Every step is journalled in the state directory before and after it runs; one apply \
            runs at a time (a lock there names the holder). A step that fails is undone with all \
            the steps before it, newest first. An apply that was killed is found by the next one: \
            'apply' (with or without LAYOUT) finishes toward the layout, 'apply --rollback' returns \
            the host to the state before the interrupted apply.

            Exit codes: 0 converged or nothing to change, 1 failed and rolled back (the host is as \
            before) or did not start, 3 failed and could not roll back entirely (what is left is listed).
            """,
        arguments: [ArgumentSpec(
            "LAYOUT|PLAN.json",
            help: "A host layout, or a plan saved by 'plan -o'. Optional after an interrupted apply (its layout is in the journal).",
            optional: true)],
        options: HostOptions.options + [
            .flag("yes", help: "Apply without asking for confirmation."),
            .flag("rollback", help: "Undo an interrupted apply instead of finishing it."),
            .choice("format", OutputFormat.self, default: .text, help: "Output format: text (progress on stderr) or json (one event per line)."),
            .value("lock-timeout", "SECONDS", help: "Wait up to SECONDS for another apply to finish.", default: "0"),
            .value("trigger", "TRIGGER", help: "What started this apply, for the journal (cli, path-unit, hotplug, boot).", default: "cli", hidden: true),
        ])

    var input: String?
    var host: HostOptions
    var yes: Bool
    var rollback: Bool
    var format: OutputFormat
    var lockTimeout: Double
    var trigger: String

    init(_ p: ParsedCommand) throws(UsageError) {
        input = p.argument(0)
        host = HostOptions(p)
        yes = p.flag("yes")
        rollback = p.flag("rollback")
        format = try p.choice("format")
        lockTimeout = try p.double("lock-timeout")
        trigger = p.valueOrDefault("trigger")
    }

    func validate() throws {
        try host.validate()
        if rollback && input != nil {
            throw UsageError("--rollback undoes the interrupted apply recorded in the journal; it takes no LAYOUT")
        }
        if lockTimeout < 0 { throw UsageError("--lock-timeout must be 0 or more seconds") }
    }

    func run() throws {
        try host.checkMayChangeHost()
        StopRequest.install()
        let applyHost = try host.makeApplyHost()
        let options = ApplyOptions(
            command: (["sosplan"] + CommandLine.arguments.dropFirst()).joined(separator: " "), trigger: trigger,
            lockTimeout: lockTimeout, crashPoint: ProcessInfo.processInfo.environment["SOSPLAN_TEST_CRASH"].flatMap(CrashPoint.init))
        let text = ApplyProgressText()
        let json = format == .json
        let reconciler = Reconciler(host: applyHost, state: host.stateDirectory, options: options) { event in
            if json { Terminal.out(ApplyEventJSON.line(event)) } else { text.render(event) }
        }
        do {
            try reconciler.acquireLock()
        } catch {
            throw Failure.report(error.description, hint: error.hint)
        }
        defer { reconciler.releaseLock() }
        // The journal stops the apply if it is damaged; the other records are
        // rewritten by it. Checked while the host is observed, said before
        // anything changes.
        let stateDirectory = host.stateDirectory
        let damageCheck = BackgroundWork { StateFiles.damages(in: stateDirectory, journal: false) }
        var damagesSaid = false
        func sayDamages() {
            guard !damagesSaid else { return }
            damagesSaid = true
            for damage in damageCheck.wait() { Terminal.err("warning: \(damage.description)\nhint: \(damage.remedy)\n") }
        }
        defer { sayDamages() }

        let report: ApplyReport
        do {
            if rollback {
                sayDamages()
                report = try reconciler.rollBackInterruptedApply()
            } else {
                let prepared: PreparedApply
                do { prepared = try prepare(reconciler) } catch {
                    sayDamages()
                    throw error
                }
                sayDamages()
                if prepared.layout != nil && !prepared.plan.steps.isEmpty && !yes {
                    try confirm(prepared.plan, toStdout: !json)
                    text.showPlan = false
                }
                report = reconciler.apply(prepared)
            }
        } catch let failure as ApplyFailure {
            if case .plan(let diagnostics) = failure, !diagnostics.isEmpty {
                Terminal.err(DiagnosticFormatter.text(diagnostics))
            }
            throw Failure.report(failure.description, hint: failure.hint)
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The plan to carry out: from the saved plan, the layout, or the
    /// layout an interrupted apply was heading for.
    func prepare(_ reconciler: Reconciler) throws -> PreparedApply {
        guard let input else {
            guard let journal = try reconciler.interruptedApply() else {
                throw Failure.report("apply needs a LAYOUT or a PLAN.json", hint: "sosplan apply host.yaml")
            }
            guard let source = journal.header?.layout else {
                throw Failure.report(
                    "the interrupted apply carried out a saved plan; give its layout to finish, or --rollback to undo it")
            }
            let layout = try decodeLayout(source.text, file: source.file)
            return try reconciler.prepare(layout: layout, source: source)
        }
        let name = InputFile.displayName(input)
        let bytes: [UInt8]
        // A layout or a saved plan: the larger limit, Core refuses layouts over 1 MiB itself.
        switch InputFile.read(input, limit: InputFile.jsonLimit) {
        case .failure(let e):
            Terminal.err(DiagnosticFormatter.text([Diagnostic.error(e.description, file: name, at: nil, hints: e.hints)]))
            throw ExitCode(1)
        case .success(let b): bytes = b
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if let plan = try savedPlan(text, file: name) {
            return try reconciler.prepare(saved: plan)
        }
        let layout = try decodeLayout(text, file: name)
        let path = input == "-" ? "-" : URL(fileURLWithPath: input).standardizedFileURL.path
        return try reconciler.prepare(layout: layout, source: JournalLayout(file: path, text: text))
    }

    func decodeLayout(_ text: String, file: String) throws -> HostLayout {
        let result = LayoutDecoder.decode(text, file: file)
        if !result.diagnostics.isEmpty { Terminal.err(DiagnosticFormatter.text(result.diagnostics)) }
        guard let layout = result.layout else { throw ExitCode(1) }
        return layout
    }

    /// A JSON document with the plan schema is a saved plan; other JSON
    /// (a snapshot, say) is refused here rather than read as a layout. The
    /// refusal names the field and what was expected (`SavedPlanReader`).
    func savedPlan(_ text: String, file: String) throws -> Plan? {
        guard text.first(where: { !$0.isWhitespace }) == "{", text.contains("\"schema\"") else { return nil }
        do {
            return try SavedPlanReader.read(text)
        } catch {
            throw Failure.report(
                "\(file)\(error.mark == nil ? ": " : ":")\(error.description)",
                hint: "apply takes a layout (YAML) or a plan saved by 'sosplan plan LAYOUT -o PLAN.json', unchanged")
        }
    }

    /// Terraform's rule: only "yes" goes ahead; without a terminal to ask
    /// on, --yes is needed.
    func confirm(_ plan: Plan, toStdout: Bool) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw Failure.report(
                "not applying \(plan.steps.count) step(s) without confirmation: there is no terminal to ask on",
                hint: "review them with 'sosplan plan', then run 'sosplan apply --yes'")
        }
        if toStdout { Terminal.out(PlanFormatter.text(plan)) } else { Terminal.err(PlanFormatter.text(plan)) }
        Terminal.err("\nDo you want to carry out these \(plan.steps.count) step(s)?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
        guard readLine()?.trimmingWhitespace() == "yes" else {
            throw Failure.report("apply cancelled; nothing was changed")
        }
    }
}
