import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// Executes a plan's steps in order, journalled: before each step (or
/// batch of slice steps) its targets' state goes to the journal, then the
/// driver call runs and is checked against the step's `after`, then the
/// journal records it done. When a step fails, every step done so far and
/// the failed one are undone, newest first, from what the journal holds.
final class ApplyEngine {
    let runner: StepRunner
    let journal: ApplyJournal
    let events: (ApplyEvent) -> Void
    let crashPoint: CrashPoint?
    /// Units read just before the run (the plan's fresh snapshot), by name.
    let known: [String: SystemdUnit]

    init(
        host: ApplyHost, journal: ApplyJournal, events: @escaping (ApplyEvent) -> Void, crashPoint: CrashPoint?,
        known: [SystemdUnit] = []
    ) {
        runner = StepRunner(host: host)
        self.journal = journal
        self.events = events
        self.crashPoint = crashPoint
        self.known = Dictionary(known.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    struct Result {
        var completed: [(step: Step, prior: StepPrior)] = []
        /// Units as systemd reported them after the steps that read them back.
        var observed: [String: SystemdUnit] = [:]
        var failed: (step: Step, error: String)?
        var undone: [Step] = []
        var undoFailures: [(step: Step, error: String)] = []
        /// The run stopped at a simulated crash point (tests): it did nothing more.
        var killed = false
    }

    /// Consecutive slice steps that do not depend on each other run as one
    /// batch (one daemon-reload); every other step runs alone.
    static func batches(_ steps: [Step]) -> [[Step]] {
        var out: [[Step]] = []
        for step in steps {
            if var last = out.last, StepRunner.batchable(step.action), StepRunner.batchable(last[0].action),
                !step.dependsOn.contains(where: { id in last.contains { $0.id == id } })
            {
                last.append(step)
                out[out.count - 1] = last
            } else {
                out.append([step])
            }
        }
        return out
    }

    func run(_ plan: Plan) -> Result {
        var result = Result()
        let total = plan.steps.count
        var index = 0
        var unread = known
        for batch in Self.batches(plan.steps) {
            let first = index + 1
            index += batch.count
            if StopRequest.isRequested {
                result.failed = (batch[0], "stopped by a signal before this step; nothing of it ran")
                events(.stepFailed(batch[0], index: first, total: total, seconds: 0, error: result.failed!.error))
                rollBack(result.completed, into: &result)
                return result
            }
            for (k, step) in batch.enumerated() { events(.stepStarted(step, index: first + k, total: total)) }
            let start = Date()
            var priors: [StepPrior] = []
            do {
                priors = try runner.capture(batch, known: unread)
                Self.forget(batch, in: &unread)
                var begun = JournalRecord(.stepsBegun, steps: batch.map(\.id))
                begun.priors = priors
                try journal.append(begun)
                if crashPoint?.reached(.before, steps: first..<(first + batch.count)) == true {
                    result.killed = true
                    return result
                }
                let results = try runner.execute(batch, priors: priors)
                var done = JournalRecord(.stepsDone, steps: batch.map(\.id))
                done.actions = results.flatMap(\.actions)
                let launched = zip(batch, results).compactMap { s, r in r.execStart.map { (s.unit, $0) } }
                if !launched.isEmpty { done.execStart = Dictionary(launched, uniquingKeysWith: { a, _ in a }) }
                try journal.append(done)
                let seconds = Date().timeIntervalSince(start)
                for (k, (step, r)) in zip(batch, results).enumerated() {
                    events(.stepFinished(step, index: first + k, total: total, seconds: seconds, result: r, batch: batch.count))
                }
                result.completed += zip(batch, priors).map { ($0, $1) }
                for r in results { if let u = r.observed { result.observed[u.name] = u } }
                if crashPoint?.reached(.after, steps: first..<(first + batch.count)) == true {
                    result.killed = true
                    return result
                }
            } catch {
                let message = (error as? StepFailure)?.message ?? "\(error)"
                var failed = JournalRecord(.stepsFailed, steps: batch.map(\.id))
                failed.error = message
                try? journal.append(failed)
                events(.stepFailed(batch[0], index: first, total: total, seconds: Date().timeIntervalSince(start), error: message))
                result.failed = (batch[0], message)
                // The failed step may have done part of its work: undo it too (its undo
                // restores the recorded state, whatever it got to). Without a recorded
                // prior it did not start.
                rollBack(result.completed + zip(batch, priors).map { ($0, $1) }, into: &result)
                return result
            }
        }
        return result
    }

    /// Drops from `known` what `batch` may change: its targets, and the
    /// host's units when it confines the host.
    static func forget(_ batch: [Step], in known: inout [String: SystemdUnit]) {
        for step in batch {
            known[step.unit] = nil
            if step.action == .hostConfine { for name in HostUnits.names { known[name] = nil } }
        }
    }

    /// Undoes `steps` newest first; a failed undo is reported and the
    /// others still run.
    func rollBack(_ steps: [(step: Step, prior: StepPrior)], into result: inout Result) {
        for (step, prior) in steps.reversed() {
            let start = Date()
            events(.undoStarted(step))
            try? journal.append(JournalRecord(.undoBegun, steps: [step.id]))
            do {
                let actions = try runner.undo(step, prior: prior)
                var done = JournalRecord(.undoDone, steps: [step.id])
                done.actions = actions
                try? journal.append(done)
                result.undone.append(step)
                events(.undoFinished(step, seconds: Date().timeIntervalSince(start), actions: actions))
            } catch {
                var failed = JournalRecord(.undoFailed, steps: [step.id])
                failed.error = error.message
                try? journal.append(failed)
                result.undoFailures.append((step, error.message))
                events(.undoFailed(step, error: error.message))
            }
        }
    }
}

/// A test hook: `SOSPLAN_TEST_CRASH=after:K` (or `before:K`) kills the
/// process with SIGKILL right after step K is journalled done (or right
/// after its prior state is journalled, before it runs), the way a power
/// cut or an OOM kill would, so crash recovery is tested on real kills.
/// In-process tests simulate it: the apply stops there and does nothing more.
public struct CrashPoint: Sendable, Hashable {
    public enum When: String, Sendable { case before, after }
    public var when: When
    public var step: Int
    /// Stop the apply instead of killing the process.
    var simulated = false

    public init(when: When, step: Int) {
        self.when = when
        self.step = step
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let when = When(rawValue: String(parts[0])), let step = Int(parts[1]), step > 0 else { return nil }
        self.init(when: when, step: step)
    }

    /// True when a simulated crash is reached (a real one never returns).
    func reached(_ moment: When, steps: Range<Int>) -> Bool {
        guard moment == when, steps.contains(step) else { return false }
        if !simulated { kill(getpid(), SIGKILL) }
        return true
    }
}

/// How the engine groups a plan's steps (for tools and tests that need to
/// know where a crash can fall: between batches, or inside one step).
public enum StepBatches {
    public static func of(_ steps: [Step]) -> [[Step]] { ApplyEngine.batches(steps) }
}
