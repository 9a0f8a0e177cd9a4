import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers
import SosplanReact

/// `sosplan reconcile LAYOUT`: what systemd units and daemons run. Once:
/// apply the layout without asking, again if the file changed meanwhile
/// (a path unit does not watch while its service runs). With --watch:
/// keep doing it on every layout edit and CPU/memory hotplug event.
struct ReconcileCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "reconcile",
        abstract: "Apply a layout without asking; with --watch, keep it applied as the host changes.",
        discussion: """
            Once (what sosplan-reconcile.service runs): validates LAYOUT, plans against the host as \
            it is and applies it like 'apply --yes'; if the file changed during the apply, it goes \
            again. A layout that does not validate changes nothing: its problems are logged with \
            FILE:LINE:COLUMN and the last applied layout stays in force. Exit codes are apply's \
            (0, 1, 3).

            With --watch it runs until SIGTERM: kernel uevents (netlink; CPU and memory blocks going \
            online or offline) and edits of LAYOUT (also by editors that replace the file) start a \
            reconcile once a burst settles; changes its own steps cause are not re-planned; lost \
            events lead to a full pass. It tells systemd when it is ready and pings the watchdog \
            (Type=notify, WatchdogSec=), and logs one event per line with journald priorities. \
            SIGTERM stops it between steps (an apply in progress is rolled back, never left half-way).
            """,
        arguments: [ArgumentSpec("LAYOUT", help: "The host layout.")],
        options: HostOptions.options + [
            .flag("watch", help: "Keep running: reconcile on layout edits and CPU/memory hotplug."),
            .value("trigger", "TRIGGER", help: "Why this reconcile runs (layout, hotplug, boot...; default: inferred)."),
            .value("lock-timeout", "SECONDS", help: "Wait up to SECONDS for another apply to finish.", default: "60"),
            .value("metrics", "FILE", help: "Write Prometheus textfile metrics to FILE after each reconcile.", completion: .file),
            .value("uevent-socket", "PATH", help: "Read uevents from this datagram socket instead of the kernel's netlink (the sandbox's simulated kernel). [env: SOSPLAN_UEVENT_SOCKET]", completion: .file),
            .value("resync", "SECONDS", help: "With --watch: a full reconcile every SECONDS even without events (0: never).", default: "600"),
            .value("irq-check", "SECONDS", help: "With --watch: how often IRQs are checked against the isolated CPUs, to steer new or moved ones (0: never).", default: "5"),
            .flag("verbose", help: "Also log events that change nothing (sosplan's own hotplug events)."),
        ])

    var layout: String
    var host: HostOptions
    var watch: Bool
    var trigger: String?
    var lockTimeout: Double
    var metrics: String?
    var ueventSocketOption: String?
    var resync: Double
    var irqCheck: Double
    var verbose: Bool

    init(_ p: ParsedCommand) throws(UsageError) {
        layout = p.arguments[0]
        host = HostOptions(p)
        watch = p.flag("watch")
        trigger = p.value("trigger")
        lockTimeout = try p.double("lock-timeout")
        metrics = p.value("metrics")
        ueventSocketOption = p.value("uevent-socket")
        resync = try p.double("resync")
        irqCheck = try p.double("irq-check")
        verbose = p.flag("verbose")
    }

    func validate() throws {
        try host.validate()
        if lockTimeout < 0 { throw UsageError("--lock-timeout must be 0 or more seconds") }
        if resync < 0 { throw UsageError("--resync must be 0 or more seconds") }
        if irqCheck < 0 { throw UsageError("--irq-check must be 0 or more seconds") }
        if !watch && ueventSocketOption != nil { throw UsageError("--uevent-socket is read only with --watch") }
        if let t = trigger, t.isEmpty || !t.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            throw UsageError("--trigger takes a word of letters, digits and '-'")
        }
    }

    var ueventSocket: String? { ueventSocketOption ?? HostOptions.environment("SOSPLAN_UEVENT_SOCKET") }

    func run() throws {
        try host.checkMayChangeHost()
        StopRequest.install()
        let writer = LogWriter(verbose: verbose)
        let applyHost = try host.makeApplyHost()
        let options = ApplyOptions(
            command: (["sosplan"] + CommandLine.arguments.dropFirst()).joined(separator: " "), trigger: trigger ?? "auto",
            lockTimeout: lockTimeout)
        let reconciler = Reconciler(host: applyHost, state: host.stateDirectory, options: options) { event in
            if let line = ApplyEventLog.line(event) { writer.write(line) }
        }
        let pass = ReconcilePass(layoutPath: layout, reconciler: reconciler, log: writer.write)
        let writeMetrics: (ReconcilePass.Outcome) -> Void = { outcome in
            guard let metrics = self.metrics else { return }
            do {
                // The host as the pass left it: no second observation or plan.
                let status = try StatusCheck.run(host: applyHost, state: self.host.stateDirectory, settled: outcome.settled)
                try MetricsFile.write(status, version: Sosplan.version, to: metrics)
            } catch {
                writer.write(LogLine(.warning, "cannot write the metrics: \(error)"))
            }
        }
        if watch {
            let loop = WatchLoop(
                pass: pass, uevents: try openUevents(), layoutWatch: try openLayoutWatch(), settings: settings, log: writer.write)
            loop.afterPass = writeMetrics
            throw ExitCode(loop.run())
        }
        var outcome = pass.run(trigger: trigger)
        // A path unit does not watch while its service runs: an edit made
        // during the apply is picked up here.
        var rounds = 1
        while rounds < 5, outcome.record.result != .invalidLayout, !StopRequest.isRequested,
            let now = try? pass.readLayout().get(), now.sha256 != outcome.layoutSHA256
        {
            writer.write(LogLine(.notice, "\(pass.layoutPath) changed during the reconcile; reconciling again"))
            outcome = pass.run(trigger: ReconcileTrigger.layout)
            rounds += 1
        }
        let r = outcome.record
        writer.write(LogLine(r.result.succeeded ? .notice : .error,
                             "reconcile (\(r.trigger)): \(r.result.rawValue)" + (r.steps > 0 ? ", \(r.steps) step(s)" : "")
                                + " in \(FixedPoint.text(r.seconds, digits: 2)) s"))
        writeMetrics(outcome)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    var settings: WatchLoop.Settings {
        var s = WatchLoop.Settings()
        s.resync = resync
        s.irqCheck = irqCheck
        return s
    }

    func openUevents() throws -> UeventSocket {
        do {
            if let path = ueventSocket { return try UeventSocket.listening(at: path) }
            guard host.observesLiveMachine else {
                throw Failure.report(
                    "--watch with --root needs --uevent-socket: the kernel's uevents describe this machine, not \(host.root ?? "")",
                    hint: "in the sandbox, eval \"$(scripts/sandbox env)\" sets SOSPLAN_UEVENT_SOCKET")
            }
            return try UeventSocket.kernel()
        } catch let e as SystemError {
            throw Failure.report("cannot listen for hotplug events: \(e)")
        }
    }

    func openLayoutWatch() throws -> FileWatch {
        do { return try FileWatch(path: layout) } catch {
            throw Failure.report("cannot watch \(layout): \(error)", hint: "the layout's directory must exist")
        }
    }
}
