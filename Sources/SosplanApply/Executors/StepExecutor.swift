import SosplanCore
import SosplanDrivers

// Adding a step action (say `irq.affinity`, target `irq:<n>`) touches these
// files and no others; the compiler points at each switch that needs the
// new case:
//   1. SosplanCore/Plan/Step.swift            the case in `StepAction` (and
//      SosplanCore/Plan/StepTarget.swift      its target: a case, its text, the `parse` switch)
//   2. SosplanCore/Plan/StepBuilder+Irqs.swift the drafts, with their phase and effects,
//      called from `StepBuilder.build()`
//   3. SosplanApply/Executors/IRQAffinityExecutor.swift  capture, execute, undo;
//      one line in `StepRunner.executor(for:)` names it
//   4. SosplanCore/Plan/PlanSimulator.swift   what the step leaves in a snapshot
// The executor keeps the state before its step in a `Codable` type of its
// own (`StepPrior.store`/`stored`), so the journal needs nothing new; nor
// do rollback, resume and batching. Outside the code: the action and its
// target pattern in Schemas/plan.schema.json, and tests. The driver it calls
// (a sysfs or tool wrapper in SosplanDrivers) is new code of its own.

/// How one family of step actions is carried out. The engine journals what
/// `capture` returns before `execute` runs, and after a failure (or after a
/// crash, from the journal) calls `undo` with it, newest step first. So
/// `undo` must restore the captured state whether the step ran fully,
/// partly or not at all, and leave a target that is already so alone.
/// Executors never print; their `StepFailure`s say what went wrong in words
/// for the operator.
protocol StepExecutor {
    /// The step's target as it is now, before the step runs.
    func capture(_ step: Step) throws(StepFailure) -> StepPrior
    /// Makes the change, then checks what the host reports against the step's `after`.
    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult
    /// Puts the target back as `prior` recorded it; returns what it did.
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String]
}

/// An executor whose independent steps one driver call makes together
/// (slices: one daemon-reload for 200 of them, not 200).
protocol BatchingStepExecutor: StepExecutor {
    /// The actions of this family that batch.
    static var batchedActions: Set<StepAction> { get }
    /// - Parameter known: units as read moments ago and not touched since
    ///   (the plan's snapshot), standing in for reading them again.
    func capture(_ steps: [Step], known: [String: SystemdUnit]) throws(StepFailure) -> [StepPrior]
    func execute(_ steps: [Step], priors: [StepPrior]) throws(StepFailure) -> [StepResult]
}
