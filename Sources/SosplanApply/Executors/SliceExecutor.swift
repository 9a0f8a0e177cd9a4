import SosplanCore
import SosplanDrivers

/// `slice.create`, `slice.update`, `slice.remove`: sosplan's slices (or its
/// drop-ins on another manager's) through systemd. Creates and updates of
/// independent slices run as one batch: every unit file written, one
/// daemon-reload, every slice read back and checked.
struct SliceExecutor: BatchingStepExecutor {
    let host: ApplyHost

    static let batchedActions: Set<StepAction> = [.sliceCreate, .sliceUpdate]

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        try capture([step], known: [:])[0]
    }

    func capture(_ steps: [Step], known: [String: SystemdUnit]) throws(StepFailure) -> [StepPrior] {
        let fromSnapshot = steps.compactMap { known[$0.unit] }
        let units = fromSnapshot.count == steps.count ? fromSnapshot : try host.observeUnitsOrFail(steps.map(\.unit))
        return units.map { StepPrior(units: [$0]) }
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        if step.action == .sliceRemove { return try remove(step) }
        return try execute([step], priors: [prior])[0]
    }

    /// The settings a slice should end with: what it has now with the
    /// step's changes on top (an update carries only what differs; the
    /// driver writes the whole file).
    static func settings(_ step: Step, prior: SystemdUnit?) throws(StepFailure) -> ResourceControl {
        let current = prior.flatMap { $0.loadState == "not-found" ? nil : ResourceControl(observed: $0) }
        do { return try step.sliceSettings(over: current) } catch {
            throw StepFailure("step \(step.id) (\(step.target)): \(error)")
        }
    }

    func execute(_ steps: [Step], priors: [StepPrior]) throws(StepFailure) -> [StepResult] {
        var requests: [SliceRequest] = []
        for (step, prior) in zip(steps, priors) {
            requests.append(SliceRequest(
                name: step.unit, resources: try Self.settings(step, prior: prior.unit(step.unit)),
                existing: step.managesExistingSlice))
        }
        let changes = try host.systemdCall { d throws(SystemdError) in try d.applySlices(requests) }
        var results: [StepResult] = []
        for (step, change) in zip(steps, changes) {
            try StepCheck.check(
                step.after, UnitProperties.properties(ResourceControl(observed: change.state)),
                what: "systemd reports for \(step.target)")
            results.append(StepResult(actions: change.actions.map(\.description), observed: change.state))
        }
        return results
    }

    func remove(_ step: Step) throws(StepFailure) -> StepResult {
        let change = try host.systemdCall { d throws(SystemdError) in try d.removeSlices([step.unit])[0] }
        if change.state.managed {
            throw StepFailure("after removing it, systemd still shows sosplan's settings on \(step.target)")
        }
        return StepResult(actions: change.actions.map(\.description))
    }

    /// Back to the settings the slice had, or gone if sosplan did not manage it.
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.unit)
        if let before, before.loadState != "not-found", before.managed {
            // Another manager's slice (kubepods.slice) gets its drop-in back and is never started here.
            let request = SliceRequest(
                name: step.unit, resources: ResourceControl(observed: before), existing: step.managesExistingSlice)
            return try host.systemdCall { d throws(SystemdError) in try d.applySlices([request])[0] }.actions.map(\.description)
        }
        return try host.systemdCall { d throws(SystemdError) in try d.removeSlices([step.unit])[0] }.actions.map(\.description)
    }
}
