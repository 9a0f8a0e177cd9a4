import SosplanCore
import SosplanDrivers

/// Why an apply did not start (nothing was changed), with a hint.
public enum ApplyFailure: Error, CustomStringConvertible {
    case locked(ApplyLock.Failure)
    case journal(String)
    case observe(String)
    /// The layout (or saved plan) names a host pattern this host does not match.
    case wrongHost(pattern: String, hostname: String?)
    case stalePlan([String])
    /// A saved plan that breaks the rules of plans (SavedPlanValidator), or
    /// carries no layout, or a layout that does not read.
    case invalidPlan([String])
    /// A saved plan whose steps are not the ones sosplan plans now from the
    /// layout it carries (SavedPlanRule).
    case planDiffers([String])
    /// Planning failed; the diagnostics say why.
    case plan([Diagnostic])
    case nothingToRollBack
    case other(String)

    public var description: String {
        switch self {
        case .locked(let e): return e.description
        case .journal(let m), .observe(let m), .other(let m): return m
        case .wrongHost(let pattern, let hostname):
            return "this layout is for host '\(pattern)', and this host is '\(hostname ?? "(unknown)")'"
        case .stalePlan(let changes):
            return "the saved plan is stale: the host changed since it was made:\n" + changes.map { "  - \($0)" }.joined(separator: "\n")
        case .invalidPlan(let problems):
            return "refusing the saved plan: " + (problems.count == 1 ? problems[0] : problems.map { "\n  - \($0)" }.joined())
        case .planDiffers(let differences):
            return "refusing the saved plan: it is not the plan sosplan makes now from the layout it carries, "
                + "against this host as it is:\n" + differences.map { "  - \($0)" }.joined(separator: "\n")
        case .plan(let diagnostics):
            return diagnostics.isEmpty ? "planning failed" : "the layout cannot be planned on this host"
        case .nothingToRollBack:
            return "there is no interrupted apply to roll back (no unfinished journal)"
        }
    }

    public var hint: String? {
        switch self {
        case .locked(.held): return "wait for it to finish, or give --lock-timeout SECONDS to wait for it"
        case .wrongHost: return "check metadata.hostname in the layout, or run this on the host it names"
        case .stalePlan, .planDiffers: return "run 'sosplan plan LAYOUT -o PLAN.json' again, review it, and apply the new plan"
        case .invalidPlan: return "apply takes plans saved by 'sosplan plan LAYOUT -o PLAN.json', unchanged"
        case .nothingToRollBack: return "'apply --rollback' undoes an apply that was interrupted; to go back further, apply the older layout"
        default: return nil
        }
    }
}

/// What the apply of a plan came to.
public struct ApplyReport: Sendable {
    public enum Outcome: String, Sendable {
        /// The host already matched: nothing was changed.
        case noChanges = "no-changes"
        case converged
        /// A step failed; everything done was undone and the host is as before.
        case rolledBack = "rolled-back"
        /// `--rollback` of an interrupted apply: the host is as before it.
        case restored
        /// A step failed and the host could not be brought back entirely.
        case rollbackIncomplete = "rollback-incomplete"
    }

    public var outcome: Outcome
    public var plan: Plan?
    /// Steps that completed (and stayed, unless rolled back).
    public var completed: [Step] = []
    /// The step that failed and why.
    public var failedStep: Step?
    public var failure: String?
    public var undone: [Step] = []
    public var undoFailures: [(step: Step, error: String)] = []
    /// What differs from the state before, when a rollback was incomplete.
    public var left: [String] = []
    public var warnings: [String] = []
    /// Steps that planning again after a converged apply still gives (the
    /// host changed during the apply, or a step did not hold).
    public var remaining: [Step] = []
    /// The host as the apply left it and what planning the layout again
    /// gave, when it converged (or had nothing to do): what a status right
    /// after needs, without observing or planning again.
    public var settled: SettledHost?
    public var mutations = MutationCounts.Totals(dbus: 0, sysfsWrites: 0, enclaveOperations: 0)
    public var seconds: Double = 0

    public init(outcome: Outcome, plan: Plan?) {
        self.outcome = outcome
        self.plan = plan
    }

    /// `design/cli.md`: 0 converged, 1 failed and rolled back, 3 failed and
    /// could not roll back.
    public var exitCode: Int32 {
        switch outcome {
        case .noChanges, .converged, .restored: return 0
        case .rolledBack: return 1
        case .rollbackIncomplete: return 3
        }
    }

    /// Counts of completed steps by effect, Terraform style.
    public var summary: PlanSummary { PlanSummary(steps: completed) }
}

/// Progress of an apply, as it happens; renderers turn these into lines
/// for people or JSON for scripts. The engine never prints.
public enum ApplyEvent: Sendable {
    case interrupted(JournalContents)
    case repaired([String])
    case planned(Plan)
    case stepStarted(Step, index: Int, total: Int)
    case stepFinished(Step, index: Int, total: Int, seconds: Double, result: StepResult, batch: Int)
    case stepFailed(Step, index: Int, total: Int, seconds: Double, error: String)
    case undoStarted(Step)
    case undoFinished(Step, seconds: Double, actions: [String])
    case undoFailed(Step, error: String)
    case warning(String)
    case finished(ApplyReport)
}

/// The host right after an apply that converged, and the layout planned
/// against it once more.
public struct SettledHost: Sendable {
    public var snapshot: HostSnapshot
    /// The steps planning again gives (none when the host holds the layout).
    public var replanned: [Step]
    /// Why planning again failed, if it did.
    public var planProblem: String?

    public init(snapshot: HostSnapshot, replanned: [Step], planProblem: String? = nil) {
        self.snapshot = snapshot
        self.replanned = replanned
        self.planProblem = planProblem
    }
}
