import SosplanCore
import SosplanDrivers

/// `unit.place`, `unit.release`: an existing unit moved into a service's
/// slice (a `Slice=` drop-in, a restart if it runs) or back to its own.
struct UnitPlacementExecutor: StepExecutor {
    let host: ApplyHost

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        StepPrior(units: try host.observeUnitsOrFail([step.unit]))
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        if step.action == .unitRelease {
            let change = try host.systemdCall { d throws(SystemdError) in try d.releaseUnit(step.unit) }
            if change.state.managed {
                throw StepFailure("after the change, \(step.target) still has sosplan's placement")
            }
            return StepResult(actions: change.actions.map(\.description))
        }
        guard let slice = step.after["Slice"]?.stringValue else { throw StepFailure("step \(step.id) names no Slice") }
        let change = try host.systemdCall { d throws(SystemdError) in try d.placeUnit(step.unit, inSlice: slice) }
        guard change.state.slice == slice else {
            throw StepFailure("after the change, systemd reports \(step.target) in \(change.state.slice ?? "no slice"), not \(slice)")
        }
        return StepResult(actions: change.actions.map(\.description))
    }

    /// Back to the slice it was in: sosplan's placement there, or none.
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.unit)
        if let before, before.managed, let slice = before.slice {
            return try host.systemdCall { d throws(SystemdError) in try d.placeUnit(step.unit, inSlice: slice) }.actions.map(\.description)
        }
        return try host.systemdCall { d throws(SystemdError) in try d.releaseUnit(step.unit) }.actions.map(\.description)
    }
}
