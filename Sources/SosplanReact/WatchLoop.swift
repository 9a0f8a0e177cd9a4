import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// `sosplan reconcile --watch`: keeps the layout holding while the machine
/// changes. It listens to kernel uevents (CPU and memory blocks going
/// online or offline) and to the layout file, lets a burst settle, then
/// observes, plans and applies. The changes its own steps cause are
/// recognised and not re-planned; lost events (an overflow, a SEQNUM gap)
/// lead to a full pass. SIGTERM stops it between steps, never inside one
/// (the apply in progress rolls back what it did, see `StopRequest`).
public final class WatchLoop {
    public struct Settings: Sendable {
        /// A burst is over when nothing new came for this long...
        public var quiet: Double = 0.2
        /// ...or this long after its first event, whichever is first.
        public var maxDelay: Double = 1.0
        /// A full pass this often, to catch what sends no event (0: never).
        public var resync: Double = 600
        /// How long the changes of a pass's own steps are expected.
        public var selfCausedWindow: Double = 30
        /// Passes in a row for one trigger when planning again still gives steps.
        public var maxFollowUps: Int = 3
        /// How often IRQs are checked against the isolated CPUs (0: never).
        public var irqCheck: Double = 5

        public init() {}
    }

    let pass: ReconcilePass
    let uevents: UeventSocket?
    let layoutWatch: FileWatch?
    let notifier: SystemdNotifier
    let settings: Settings
    let log: (LogLine) -> Void
    /// Called after every pass (e.g. to write the metrics file).
    public var afterPass: ((ReconcilePass.Outcome) -> Void)?

    private var expected = SelfCausedChanges()
    private var expectedUntil = Date.distantPast
    private var lastSeqnum: UInt64?
    private var lastLayoutSHA: String?
    private var pending: Pending?
    private var followUps = 0
    private var irqWatch: IRQWatch
    private var nextIRQCheck = Date.distantFuture
    /// Passes run so far (tests count them).
    public private(set) var passes = 0
    /// Stops the loop besides SIGTERM (tests: after the passes they wait for).
    var stopWhen: (() -> Bool)?

    struct Pending {
        var trigger: String
        var first: Date
        var last: Date
        var changes: [String]
    }

    public init(
        pass: ReconcilePass, uevents: UeventSocket?, layoutWatch: FileWatch?, notifier: SystemdNotifier = SystemdNotifier(),
        settings: Settings = Settings(), log: @escaping (LogLine) -> Void
    ) {
        self.pass = pass
        self.uevents = uevents
        self.layoutWatch = layoutWatch
        self.notifier = notifier
        self.settings = settings
        self.log = log
        irqWatch = IRQWatch(host: pass.reconciler.host)
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    public func run() -> Int32 {
        log(.init(.info, "watching \(pass.layoutPath)" + (uevents == nil ? "" : " and CPU/memory hotplug")))
        runPass(trigger: nil, changes: [])
        notifier.ready(status: statusLine())
        var nextResync = settings.resync > 0 ? Date().addingTimeInterval(settings.resync) : Date.distantFuture
        var nextPing = Date()
        let ping = notifier.watchdogInterval
        while !StopRequest.isRequested && !(stopWhen?() ?? false) {
            let now = Date()
            var deadline = min(nextResync, now.addingTimeInterval(1))
            if let p = pending { deadline = min(deadline, p.last.addingTimeInterval(settings.quiet), p.first.addingTimeInterval(settings.maxDelay)) }
            if ping != nil { deadline = min(deadline, nextPing) }
            deadline = min(deadline, nextIRQCheck)
            var fds: [pollfd] = []
            if let u = uevents { fds.append(pollfd(fd: u.descriptor, events: Int16(POLLIN), revents: 0)) }
            if let w = layoutWatch { fds.append(pollfd(fd: w.descriptor, events: Int16(POLLIN), revents: 0)) }
            if StopRequest.wakeDescriptor >= 0 { fds.append(pollfd(fd: StopRequest.wakeDescriptor, events: Int16(POLLIN), revents: 0)) }
            let timeout = Int32(max(0, min(deadline.timeIntervalSince(now), 1)) * 1000)
            _ = poll(&fds, nfds_t(fds.count), timeout)
            if StopRequest.isRequested || (stopWhen?() ?? false) { break }
            readUevents()
            readLayoutWatch()
            let after = Date()
            if let interval = ping, after >= nextPing {
                notifier.watchdog()
                nextPing = after.addingTimeInterval(interval)
            }
            checkIRQs(at: after)
            if let p = pending, after >= p.last.addingTimeInterval(settings.quiet) || after >= p.first.addingTimeInterval(settings.maxDelay) {
                pending = nil
                let waited = after.timeIntervalSince(p.first)
                log(.init(.info, "\(p.trigger): \(p.changes.prefix(8).joined(separator: ", "))\(p.changes.count > 8 ? ", ..." : "") (settled after \(Self.ms(waited)))"))
                runPass(trigger: p.trigger, changes: p.changes, since: p.first)
                nextResync = settings.resync > 0 ? Date().addingTimeInterval(settings.resync) : Date.distantFuture
            } else if after >= nextResync {
                runPass(trigger: "resync", changes: [])
                nextResync = Date().addingTimeInterval(settings.resync)
            }
        }
        notifier.stopping()
        log(.init(.notice, "stopping (signal)"))
        return 0
    }

    // MARK: Events

    func readUevents() {
        guard let socket = uevents else { return }
        for received in socket.drain() {
            switch received {
            case .overflow:
                note("resync", "uevents were lost (receive buffer overflow): observing everything again")
            case .event(let event):
                if let seq = event.seqnum {
                    if let last = lastSeqnum, seq != last &+ 1, seq > last {
                        note("resync", "uevent SEQNUM \(last) → \(seq): \(seq - last - 1) event(s) missed; observing everything again")
                    }
                    lastSeqnum = seq
                }
                guard let change = event.hotplug else { continue }
                if Date() < expectedUntil && expected.consume(change) {
                    log(.init(.debug, "\(change): caused by sosplan's own step, not re-planned"))
                    continue
                }
                note("hotplug", change.description)
            }
        }
    }

    func readLayoutWatch() {
        guard let watch = layoutWatch, watch.drain() else { return }
        // Editors touch files without changing them; only new content counts.
        let sha = (try? pass.readLayout().get())?.sha256
        guard sha != lastLayoutSHA else { return }
        note("layout", "\(pass.layoutPath) changed")
    }

    /// New or moved IRQs on isolated CPUs start a pass (trigger `irq`).
    private func checkIRQs(at now: Date) {
        guard now >= nextIRQCheck else { return }
        nextIRQCheck = now.addingTimeInterval(settings.irqCheck)
        guard pending == nil else { return }
        let found = irqWatch.offending()
        guard !found.isEmpty else { return }
        note("irq", "IRQ\(found.count == 1 ? "" : "s") \(found.prefix(8).joined(separator: ", "))\(found.count > 8 ? ", ..." : "") may run on isolated CPUs \(irqWatch.isolated!)")
    }

    private func note(_ trigger: String, _ change: String) {
        let now = Date()
        if var p = pending {
            // A layout edit or lost events outrank hotplug: both plan from scratch anyway.
            if trigger != "hotplug" && trigger != "irq" { p.trigger = trigger }
            p.last = now
            p.changes.append(change)
            pending = p
        } else {
            pending = Pending(trigger: trigger, first: now, last: now, changes: [change])
        }
    }

    // MARK: Passes

    private func runPass(trigger: String?, changes: [String], since: Date? = nil) {
        passes += 1
        let outcome = pass.run(trigger: trigger)
        irqWatch.update(state: pass.reconciler.state)
        nextIRQCheck = settings.irqCheck > 0 && irqWatch.isolated != nil ? Date().addingTimeInterval(settings.irqCheck) : .distantFuture
        lastLayoutSHA = outcome.layoutSHA256 ?? lastLayoutSHA
        if !outcome.selfCaused.isEmpty {
            expected.formUnion(outcome.selfCaused)
            expectedUntil = Date().addingTimeInterval(settings.selfCausedWindow)
        }
        let r = outcome.record
        var text = "reconcile (\(r.trigger)): \(r.result.rawValue)"
        if r.steps > 0 { text += ", \(r.steps) step\(r.steps == 1 ? "" : "s")" }
        text += " in \(Self.ms(r.seconds))"
        if let since { text += "; \(Self.ms(Date().timeIntervalSince(since))) after the first event" }
        if let m = r.message, !r.result.succeeded { text += ": \(m)" }
        log(.init(r.result.succeeded ? .notice : .error, text))
        notifier.status(statusLine(outcome))
        afterPass?(outcome)
        if outcome.needsAnotherPass && followUps < settings.maxFollowUps {
            followUps += 1
            note(r.trigger, "planning again still gives \(outcome.report?.remaining.count ?? 0) step(s)")
        } else {
            followUps = 0
        }
    }

    private func statusLine(_ outcome: ReconcilePass.Outcome? = nil) -> String {
        guard let r = outcome?.record else { return "watching \(pass.layoutPath)" }
        return "last reconcile \(r.at) (\(r.trigger)): \(r.result.rawValue)"
    }

    static func ms(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : FixedPoint.text(seconds, digits: 2) + " s"
    }
}
