import SosplanCore
import SosplanDrivers

/// `unit.create`, `unit.update`, `unit.remove`: `sosplan-<name>.service` of
/// an `exec:` service. A service of an enclave runs through the co-kernel's
/// launcher, whose own arguments (the instance, its CPUs) are resolved here,
/// once the enclave runs.
struct ExecUnitExecutor: StepExecutor {
    let host: ApplyHost

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        StepPrior(units: try host.observeUnitsOrFail([step.unit]))
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        if step.action == .unitRemove { return try remove(step) }
        guard let slice = step.after["Slice"]?.stringValue else { throw StepFailure("step \(step.id) names no Slice") }
        let arguments = try execArguments(step)
        var request = ExecUnitRequest(name: step.unit, slice: slice, arguments: arguments)
        // A launcher that returns once the job runs (pisces_run) makes a oneshot unit that stays active.
        request.returnsAtLaunch = step.after["Launcher"]?.stringValue.flatMap(EnclaveDriverKind.init(rawValue:))
            .map(EnclaveLaunchCommand.returnsAtLaunch) ?? false
        // memory.policy: systemd sets NUMAPolicy=/NUMAMask= when it starts the service.
        request.numaPolicy = NUMAPolicySetting(planProperties: step.after)
        let change = try host.systemdCall { d throws(SystemdError) in
            step.action == .unitCreate ? try d.createUnit(request) : try d.updateUnit(request)
        }
        guard change.state.numaPolicy == request.numaPolicy else {
            throw StepFailure(
                "after the change, systemd reports NUMAPolicy \(change.state.numaPolicy?.description ?? "unset") for \(step.target), not \(request.numaPolicy?.description ?? "unset")")
        }
        if change.state.execStart != arguments {
            throw StepFailure(
                "after the change, systemd runs \(change.state.execStart.map { $0.joined(separator: " ") } ?? "nothing") for \(step.target), not \(arguments.joined(separator: " "))")
        }
        guard change.state.slice == slice else {
            throw StepFailure("after the change, systemd reports \(step.target) in \(change.state.slice ?? "no slice"), not \(slice)")
        }
        if !change.actions.isEmpty { try host.checkStaysActive(step.unit) }
        return StepResult(actions: change.actions.map(\.description), execStart: arguments)
    }

    func remove(_ step: Step) throws(StepFailure) -> StepResult {
        let change = try host.systemdCall { d throws(SystemdError) in try d.removeUnit(step.unit) }
        if change.state.managed || (change.state.activeState.map { $0 == "active" || $0 == "activating" } ?? false) {
            throw StepFailure("after removing it, \(step.target) is still \(change.state.activeState ?? "there")")
        }
        return StepResult(actions: change.actions.map(\.description))
    }

    /// Back to the unit as recorded: none, its old file, or the container
    /// it ran before (an `exec:` service that was a `container:` one).
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.unit)
        guard let before, before.loadState != "not-found", before.managed, let exec = before.execStart, let slice = before.slice
        else {
            return try host.systemdCall { d throws(SystemdError) in try d.removeUnit(step.unit) }.actions.map(\.description)
        }
        if ContainerRun.parse(exec) != nil { return try ContainerExecutor(host: host).restoreUnit(step, before: before) }
        var request = ExecUnitRequest(name: step.unit, slice: slice, arguments: exec)
        request.numaPolicy = before.numaPolicy
        let change = try host.systemdCall { d throws(SystemdError) in
            try d.hasOwnUnitFile(step.unit) ? try d.updateUnit(request) : try d.createUnit(request)
        }
        return change.actions.map(\.description)
    }

    /// The unit's argument vector: the service's own, or the enclave's
    /// launcher in front of it, resolved now that the enclave runs.
    func execArguments(_ step: Step) throws(StepFailure) -> [String] {
        let exec = (step.after["ExecStart"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard !exec.isEmpty else { throw StepFailure("step \(step.id) has no ExecStart") }
        guard let launcher = step.after["Launcher"]?.stringValue else { return exec }
        guard let kind = EnclaveDriverKind(rawValue: launcher), let enclave = step.after["Enclave"]?.stringValue else {
            throw StepFailure("step \(step.id): unknown launcher '\(launcher)'")
        }
        let d = try host.enclaveDriver(kind)
        let instance: EnclaveInstance?
        do { instance = try d.instance(named: enclave) } catch { throw StepFailure.from(error) }
        guard let instance else {
            throw StepFailure("enclave '\(enclave)' is not running, so \(step.target) cannot be launched into it")
        }
        let cpus = step.after["EnclaveCPUs"]?.stringValue.flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet()
        let request = EnclaveLaunchCommand.Request(
            service: try step.ownUnitService(), instance: instance, exec: exec, cpus: cpus.isEmpty ? nil : cpus,
            cpuCount: cpus.isEmpty ? instance.cpus.count : cpus.count)
        do { return try EnclaveLaunchCommand.argumentVector(request, launcher: host.launchers.path(for: kind)) } catch {
            throw StepFailure("cannot launch \(step.target) into enclave '\(enclave)': \(error)")
        }
    }
}
