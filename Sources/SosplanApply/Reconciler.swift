import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// `sosplan apply` without the command line: takes the lock, deals with an
/// interrupted apply, observes, plans (or checks a saved plan), runs the
/// engine, and checks the result by observing again. A failed apply ends
/// with the host as it was before (exit 1) or with an exact list of what
/// is left (exit 3); a plan with no steps changes nothing at all.
public final class Reconciler {
    public let host: ApplyHost
    public let state: StateDirectory
    public var options: ApplyOptions
    public var events: (ApplyEvent) -> Void
    private var lock: ApplyLock?

    public init(host: ApplyHost, state: StateDirectory, options: ApplyOptions, events: @escaping (ApplyEvent) -> Void) {
        self.host = host
        self.state = state
        self.options = options
        self.events = events
    }

    /// Takes the state directory's lock for the rest of this reconciler's life.
    public func acquireLock(hostname: String? = nil) throws(ApplyFailure) {
        guard lock == nil else { return }
        do {
            lock = try ApplyLock.acquire(in: state, command: options.command, timeout: options.lockTimeout, hostname: hostname)
        } catch { throw .locked(error) }
    }

    public func releaseLock() {
        lock?.release()
        lock = nil
    }

    /// The journal of an apply that did not finish, if there is one.
    public func interruptedApply() throws(ApplyFailure) -> JournalContents? {
        guard let contents = try ApplyJournal.read(in: state), !contents.isFinished else {
            if (try? ApplyJournal.read(in: state))??.isFinished == true { try ApplyJournal.archive(in: state) }
            return nil
        }
        return contents
    }

    // MARK: Preparing

    /// Plans `layout` against the host as it is now, after making good what
    /// an interrupted apply left (CPUs it took offline for nobody, co-kernel
    /// reservations no enclave uses).
    public func prepare(layout: HostLayout, source: JournalLayout) throws(ApplyFailure) -> PreparedApply {
        try takeOverInterruptedApply()
        let units = layout.observedUnitNames
        let snapshot = try observe(units)
        try checkHost(layout.metadata.hostname, snapshot)
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: host.capabilities).plan()
        for d in result.diagnostics where d.severity == .warning { events(.warning(DiagnosticFormatter.text([d]).trimmingASCIIWhitespace())) }
        guard let plan = result.plan else { throw .plan(result.diagnostics) }
        return PreparedApply(plan: plan, snapshot: snapshot, layout: layout, source: source, unitNames: units)
    }

    func observe(_ units: [String]) throws(ApplyFailure) -> HostSnapshot {
        do { return try host.observe(units) } catch { throw .observe("cannot observe the host: \(error)") }
    }

    func checkHost(_ pattern: String?, _ snapshot: HostSnapshot) throws(ApplyFailure) {
        try ApplyFailure.checkHost(pattern, hostname: snapshot.hostname)
    }

    // MARK: Applying

    /// Carries out a prepared plan.
    public func apply(_ prepared: PreparedApply) -> ApplyReport {
        let start = Date()
        let before = host.mutations
        var report = ApplyReport(outcome: .noChanges, plan: prepared.plan)
        events(.planned(prepared.plan))
        guard !prepared.plan.steps.isEmpty else {
            recordApplied(prepared, snapshot: prepared.snapshot, seconds: Date().timeIntervalSince(start))
            if prepared.layout != nil { report.settled = SettledHost(snapshot: prepared.snapshot, replanned: []) }
            report.mutations = host.mutations - before
            report.seconds = Date().timeIntervalSince(start)
            events(.finished(report))
            return report
        }
        let journal: ApplyJournal
        do {
            journal = try ApplyJournal.begin(in: state, header: header(prepared))
        } catch {
            report.outcome = .rolledBack
            report.failure = error.description
            events(.finished(report))
            return report
        }
        // Read moments ago under the lock: it stands in for the first reads of
        // the units the steps change. A snapshot that waited for a person's
        // answer is read again.
        let fresh = Date().timeIntervalSince(prepared.observedAt) < Self.freshSnapshotSeconds
        let engine = ApplyEngine(
            host: host, journal: journal, events: events, crashPoint: options.crashPoint,
            known: fresh ? prepared.snapshot.systemd?.units ?? [] : [])
        let result = engine.run(prepared.plan)
        // A simulated crash (tests): the apply ends here, its journal unfinished.
        if result.killed { return report }
        report.completed = result.completed.map(\.step)
        report.undone = result.undone
        report.undoFailures = result.undoFailures
        if let (step, error) = result.failed {
            report.failedStep = step
            report.failure = error
            report.completed = []
            let left = leftOver(comparedWith: prepared.snapshot, units: prepared.unitNames)
            report.left = left
            report.outcome = left.isEmpty ? .rolledBack : .rollbackIncomplete
            try? journal.finish(left.isEmpty ? .rolledBack : .rollbackIncomplete, left: left)
        } else {
            let after = observation(after: result, prepared)
            if let layout = prepared.layout, let after {
                let again = Planner(layout: layout, snapshot: after, capabilities: host.capabilities).plan()
                // A step that waits for a reboot (kernel arguments) stays in plans until one: not a failure to converge.
                let awaitingReboot = again.plan?.steps.filter { $0.disruption == .reboot } ?? []
                if !awaitingReboot.isEmpty {
                    report.warnings.append(
                        "waiting for a reboot: " + awaitingReboot.map { "\($0.action.rawValue) \($0.target)" }.joined(separator: ", ")
                            + " takes effect when the host next boots (sosplan never reboots)")
                }
                if let steps = again.plan?.steps.filter({ $0.disruption != .reboot }), !steps.isEmpty {
                    report.remaining = steps
                    report.warnings.append(
                        "the host did not fully converge: planning again gives \(steps.count) step(s): "
                            + steps.prefix(5).map { "\($0.action.rawValue) \($0.target)" }.joined(separator: ", "))
                }
                let problem = again.plan == nil
                    ? again.diagnostics.first { $0.severity == .error }.map(\.message) ?? "planning failed" : nil
                report.settled = SettledHost(snapshot: after, replanned: again.plan?.steps ?? [], planProblem: problem)
            }
            if let after { recordApplied(prepared, snapshot: after, seconds: Date().timeIntervalSince(start)) }
            report.outcome = .converged
            do { try journal.finish(.converged) } catch { report.warnings.append(error.description) }
        }
        for w in report.warnings { events(.warning(w)) }
        report.mutations = host.mutations - before
        report.seconds = Date().timeIntervalSince(start)
        events(.finished(report))
        return report
    }

    static let freshSnapshotSeconds = 5.0

    /// The host after a run that went through. When every step was one
    /// whose target systemd read back after the change (slice steps), nothing
    /// else was touched: the snapshot from before with those units as read
    /// back. Otherwise the host is observed again.
    func observation(after result: ApplyEngine.Result, _ prepared: PreparedApply) -> HostSnapshot? {
        guard let systemd = prepared.snapshot.systemd, prepared.plan.steps.allSatisfy({ result.observed[$0.unit] != nil })
        else { return try? observe(prepared.unitNames) }
        var units = Dictionary(systemd.units.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (name, unit) in result.observed { units[name] = unit }
        var snapshot = prepared.snapshot
        snapshot.systemd = SystemdState(units: Array(units.values))
        snapshot.refreshFingerprint()
        return snapshot
    }

    func header(_ prepared: PreparedApply) -> JournalHeader {
        JournalHeader(
            id: UUID().uuidString.lowercased(), startedAt: Timestamp.now(), pid: getpid(), command: options.command,
            trigger: prepared.trigger ?? options.trigger, hostname: prepared.snapshot.hostname, layout: prepared.source,
            unitNames: prepared.unitNames, plan: prepared.plan, priorSnapshot: prepared.snapshot)
    }

    /// What differs from `snapshot` now (empty: the host is back as it was).
    func leftOver(comparedWith snapshot: HostSnapshot, units: [String]) -> [String] {
        do {
            return SnapshotDifference.between(snapshot, try settledObservation(units)).map(\.description)
        } catch {
            return ["the host could not be observed to check the rollback: \(error)"]
        }
    }

    /// Observes once no unit is between states: a unit killed mid-restart
    /// (a slow ExecStop) is still stopping when the rollback ends; what
    /// counts is where it settles. Gives up waiting after 30 s.
    func settledObservation(_ units: [String]) throws(ApplyFailure) -> HostSnapshot {
        let deadline = Date().addingTimeInterval(30)
        var snapshot = try observe(units)
        let moving: Set<String> = ["activating", "deactivating", "reloading", "refreshing"]
        while Date() < deadline, snapshot.systemd?.units.contains(where: { moving.contains($0.activeState ?? "") }) == true {
            usleep(200_000)
            snapshot = try observe(units)
        }
        return snapshot
    }

    func recordApplied(_ prepared: PreparedApply, snapshot: HostSnapshot, seconds: Double) {
        let record = AppliedState(
            appliedAt: Timestamp.now(), trigger: prepared.trigger ?? options.trigger, layout: prepared.source, plan: prepared.plan,
            unitNames: prepared.unitNames, snapshot: snapshot, seconds: seconds, bootID: BootID.read(root: host.hotplug.root))
        do { try record.write(in: state) } catch { events(.warning("cannot record the applied state: \(error)")) }
    }
}
