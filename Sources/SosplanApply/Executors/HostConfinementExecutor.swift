import SosplanCore
import SosplanDrivers

/// `host.confine`: `system.slice`, `user.slice` and `init.scope` kept to the
/// host CPUs (or no longer confined, when `after` says unrestricted).
struct HostConfinementExecutor: StepExecutor {
    let host: ApplyHost

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        StepPrior(units: try host.observeUnitsOrFail(HostUnits.names))
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        let text = step.after["AllowedCPUs"]?.stringValue ?? ""
        let cpus: CPUSet
        do { cpus = try CPUSet(lenientList: text) } catch { throw StepFailure("step \(step.id): AllowedCPUs '\(text)': \(error.message)") }
        let changes = try host.systemdCall { d throws(SystemdError) in cpus.isEmpty ? try d.unconfineHost() : try d.confineHost(to: cpus) }
        for change in changes where (change.state.allowedCPUs ?? CPUSet()) != cpus {
            throw StepFailure(
                "after the change, systemd reports AllowedCPUs \(change.state.allowedCPUs?.description ?? "(unrestricted)") for \(change.unit), not \(cpus.isEmpty ? "(unrestricted)" : cpus.description)")
        }
        return StepResult(actions: changes.flatMap { c in c.actions.map { "\(c.unit): \($0)" } })
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let confined = (prior.units ?? []).first { $0.managed && $0.allowedCPUs != nil }
        let changes = try host.systemdCall { d throws(SystemdError) in
            if let cpus = confined?.allowedCPUs { return try d.confineHost(to: cpus) }
            return try d.unconfineHost()
        }
        return changes.flatMap { c in c.actions.map { "\(c.unit): \($0)" } }
    }
}
