import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// Compares the host with what sosplan last applied: observes it (the
/// units the apply observed), diffs against the snapshot taken right after
/// that apply, and plans the applied layout again. Right after an apply
/// that converged, what that apply saw last stands in for both (`settled`),
/// so a reconcile pass with metrics observes and plans no more than the
/// apply did. Read-only: it takes no lock and retires no journal.
public enum StatusCheck {
    /// The status together with what it was computed from, for outputs
    /// that describe the host as applied (`status --format nrt`).
    public struct Inspection {
        public var status: HostStatus
        /// The host as observed now; nil when nothing was ever applied.
        public var now: HostSnapshot?
        public var applied: AppliedState?
        /// The applied layout, when it still decodes.
        public var layout: HostLayout?
    }

    public static func run(host: ApplyHost, state: StateDirectory, settled: SettledHost? = nil) throws -> HostStatus {
        try inspect(host: host, state: state, settled: settled).status
    }

    /// - Parameter settled: the host as an apply just left it (and planned
    ///   again), when that apply converged; nil observes and plans now.
    public static func inspect(host: ApplyHost, state: StateDirectory, settled: SettledHost? = nil) throws -> Inspection {
        let record = state.read(ReconcileRecord.fileName).flatMap { ReconcileRecord.decode(json: String(decoding: $0, as: UTF8.self)) }
        var drift: [Drift] = []
        var interrupted = false
        // A damaged journal or record throws (`StateFileReader.Damage`): it
        // is reported with its path, never read as "never applied".
        if let journal = try ApplyJournal.load(in: state), !journal.isFinished {
            let who = journal.header.map { "started \($0.startedAt) by pid \($0.pid) (\($0.command))" } ?? "nothing of it ran"
            if ApplyLock.isHeld(in: state) {
                drift.append(Drift(kind: "journal", target: "apply", message: "an apply is in progress, \(who)"))
            } else {
                interrupted = true
                drift.append(Drift(
                    kind: "journal", target: "apply",
                    message: "an apply did not finish (\(who)); 'sosplan apply' finishes it, 'sosplan apply --rollback' undoes it"))
            }
        }
        guard let applied = try AppliedState.load(in: state) else {
            return Inspection(
                status: HostStatus(state: interrupted ? .interrupted : .neverApplied, lastReconcile: record, drift: drift))
        }
        let now = try settled?.snapshot ?? host.observe(applied.unitNames)
        var replanned: [Step] = []
        let layout = applied.layout.flatMap { LayoutDecoder.decode($0.text, file: $0.file).layout }
        if let layout {
            var problem: String?
            if let settled {
                replanned = settled.replanned
                problem = settled.planProblem
            } else {
                let result = Planner(layout: layout, snapshot: now, capabilities: host.capabilities).plan()
                replanned = result.plan?.steps ?? []
                if result.plan == nil { problem = result.diagnostics.first { $0.severity == .error }.map(\.message) ?? "planning failed" }
            }
            if let problem {
                drift.append(Drift(kind: "plan", target: "layout", message: "the applied layout no longer fits this host: \(problem)"))
            }
        }
        drift += Drift.between(applied: applied.snapshot, now: now, replanned: replanned)
        if let pool = layout?.lwkPool { drift = Drift.withoutLWKJobs(drift, pool: pool, now: now) }
        let last = HostStatus.LastApply(
            at: applied.appliedAt, trigger: applied.trigger, outcome: "converged", layout: applied.layout?.file,
            seconds: applied.seconds, steps: applied.plan.steps.count)
        let state: HostStatus.State = interrupted ? .interrupted : (drift.isEmpty ? .inSync : .drifted)
        var status = HostStatus(
            state: state, lastApply: last, lastReconcile: record, drift: drift, placement: applied.plan.placement,
            onlineCPUs: now.topology.onlineCPUs)
        status.isolation = layout.flatMap { IsolationStatus.of(layout: $0, placement: applied.plan.placement, now: now) }
        return Inspection(status: status, now: now, applied: applied, layout: layout)
    }
}
