import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// `container.create`, `container.update`, `container.remove`: the
/// container's unit through systemd and the running container through
/// podman. A live update changes the container with `podman update` first,
/// then rewrites the unit without restarting it; its post-check is that the
/// same container (id, start time) runs with the new values. A restart
/// rewrites and restarts the unit: a new container.
struct ContainerExecutor: StepExecutor {
    let host: ApplyHost

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var prior = StepPrior(units: try host.observeUnitsOrFail([step.unit]))
        try captureContainer(step, &prior)
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        step.action == .containerRemove ? try remove(step) : try run(step, prior: prior)
    }

    func podman() throws(StepFailure) -> PodmanDriver {
        guard let p = host.podman else {
            throw StepFailure("this step runs a container, but sosplan has no podman (--podman PATH)")
        }
        if let problem = p.configuration.problem { throw StepFailure(problem) }
        guard p.isInstalled else {
            throw StepFailure("podman is not installed at \(p.configuration.program) (apt-get install podman runc, or --podman PATH)")
        }
        return p
    }

    /// The container an own unit runs: `sosplan-<service>`.
    static func containerName(_ step: Step) throws(StepFailure) -> String {
        guard let service = step.target.ownUnitService else {
            throw StepFailure("step \(step.id): \(step.target) is not one of sosplan's own units")
        }
        return ContainerSpec.containerName(service: service)
    }

    /// The prior records the running container too (id, start time, limits).
    func captureContainer(_ step: Step, _ prior: inout StepPrior) throws(StepFailure) {
        guard var unit = prior.units?.first else { return }
        let name = try Self.containerName(step)
        guard ContainerSpec.isContainerName(name) else { return }
        do { unit.container = try podman().inspect(name) } catch let e as StepFailure { throw e } catch {
            throw StepFailure("cannot read container \(name) from podman: \(error)")
        }
        prior.units = [unit]
    }

    /// What the step asks for: its values on top of what the unit runs now.
    func containerRun(_ step: Step, prior: StepPrior) throws(StepFailure) -> ContainerRun {
        let base = step.action == .containerCreate ? nil : prior.unit(step.unit)?.execStart.flatMap(ContainerRun.parse)?.run
        let name = try Self.containerName(step)
        do { return try ContainerRun(properties: step.after, name: name, base: base) } catch {
            throw StepFailure("step \(step.id) (\(step.target)): \(error)")
        }
    }

    func unitRequest(_ step: Step, run: ContainerRun, slice: String, podman: PodmanDriver) -> ContainerUnitRequest {
        ContainerUnitRequest(
            name: step.unit, slice: slice, containerName: run.name,
            arguments: run.argumentVector(podman: podman.configuration.program, runtime: podman.configuration.resolvedRuntime),
            environment: podman.configuration.environment)
    }

    func run(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        let p = try podman()
        let run = try containerRun(step, prior: prior)
        let before = prior.unit(step.unit)
        guard let slice = step.after["Slice"]?.stringValue ?? before?.slice else { throw StepFailure("step \(step.id) names no Slice") }
        let request = unitRequest(step, run: run, slice: slice, podman: p)
        let live = step.action == .containerUpdate && step.disruption < .restart
        var actions: [String] = []
        if live {
            do { try p.update(run) } catch { throw StepFailure("\(error)") }
            actions.append("podman update \(run.updateArguments.joined(separator: " ")) \(run.name)")
        }
        let change = try host.systemdCall { d throws(SystemdError) in
            step.action == .containerCreate ? try d.createContainerUnit(request) : try d.updateContainerUnit(request, restart: !live)
        }
        actions += change.actions.map(\.description)
        if change.state.execStart != request.arguments {
            throw StepFailure(
                "after the change, systemd runs \(change.state.execStart.map { $0.joined(separator: " ") } ?? "nothing") for \(step.target), not \(request.arguments.joined(separator: " "))")
        }
        guard change.state.slice == slice else {
            throw StepFailure("after the change, systemd reports \(step.target) in \(change.state.slice ?? "no slice"), not \(slice)")
        }
        if change.actions.contains(.started) || change.actions.contains(.restarted) { try host.checkStaysActive(step.unit) }
        let state: ContainerState
        do { state = try p.inspect(run.name) } catch { throw StepFailure("\(error)") }
        try checkContainer(state, run: run, step: step, live: live)
        if live, let was = before?.container, was.isRunning, state.id != was.id || state.startedAt != was.startedAt {
            throw StepFailure("\(run.name) was restarted by a live update (id or start time changed)")
        }
        return StepResult(actions: actions, execStart: request.arguments)
    }

    /// The container runs, with the CPUs, memory nodes and limits asked for.
    func checkContainer(_ state: ContainerState, run: ContainerRun, step: Step, live: Bool) throws(StepFailure) {
        guard state.isRunning else {
            throw StepFailure("after the change, container \(run.name) is \(state.state), not running (see `journalctl -u \(step.target)`)")
        }
        var wrong: [String] = []
        if (state.cpusetCpus ?? CPUSet()) != run.cpus { wrong.append("its CPUs are \(state.cpusetCpus?.description ?? "(all)"), not \(run.cpus)") }
        if (state.cpusetMems ?? CPUSet()) != run.memoryNodes {
            wrong.append("its memory nodes are \(state.cpusetMems?.description ?? "(all)"), not \(run.memoryNodes)")
        }
        if !live, state.memory != run.memory { wrong.append("its memory limit is \(state.memory.map(String.init) ?? "none"), not \(run.memory.map(String.init) ?? "none")") }
        guard wrong.isEmpty else { throw StepFailure("after the change, podman reports for \(run.name): \(wrong.joined(separator: "; "))") }
    }

    func remove(_ step: Step) throws(StepFailure) -> StepResult {
        let p = try podman()
        let change = try host.systemdCall { d throws(SystemdError) in try d.removeUnit(step.unit) }
        var actions = change.actions.map(\.description)
        let name = try Self.containerName(step)
        do { if try p.remove(name) { actions.append("podman rm \(name)") } } catch { throw StepFailure("\(error)") }
        if change.state.managed || (change.state.activeState.map { $0 == "active" || $0 == "activating" } ?? false) {
            throw StepFailure("after removing it, \(step.target) is still \(change.state.activeState ?? "there")")
        }
        let state: ContainerState
        do { state = try p.inspect(name) } catch { throw StepFailure("\(error)") }
        guard state.state == "missing" else { throw StepFailure("after removing it, container \(name) is still \(state.state)") }
        return StepResult(actions: actions)
    }

    /// Back to the recorded unit: none (remove it and its container), or its
    /// old file; a live update is undone live (`podman update` back), the
    /// others restart the unit with its old command.
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let before = prior.unit(step.unit)
        guard let before, before.loadState != "not-found", before.managed, before.execStart != nil else {
            var actions = try host.systemdCall { d throws(SystemdError) in try d.removeUnit(step.unit) }.actions.map(\.description)
            do { if try podman().remove(try Self.containerName(step)) { actions.append("podman rm") } } catch let e as StepFailure {
                throw e
            } catch { throw StepFailure("\(error)") }
            return actions
        }
        return try restoreUnit(step, before: before)
    }

    func restoreUnit(_ step: Step, before: SystemdUnit) throws(StepFailure) -> [String] {
        let p = try podman()
        guard let exec = before.execStart, let slice = before.slice, let old = ContainerRun.parse(exec) else {
            throw StepFailure("the unit \(step.target) ran something sosplan cannot read back; restore it by hand")
        }
        let live = step.action == .containerUpdate && step.disruption < .restart
        var actions: [String] = []
        if live, let was = before.container, was.isRunning {
            var back = old.run
            back.cpus = was.cpusetCpus ?? back.cpus
            back.memoryNodes = was.cpusetMems ?? back.memoryNodes
            if (try? p.inspect(back.name))?.isRunning == true {
                do { try p.update(back) } catch { throw StepFailure("\(error)") }
                actions.append("podman update back")
            }
        }
        var env: [(String, String)] = []
        if let conf = p.configuration.containersConf { env.append(("CONTAINERS_CONF", conf)) }
        let request = ContainerUnitRequest(name: step.unit, slice: slice, containerName: old.run.name, arguments: exec, environment: env)
        let change = try host.systemdCall { d throws(SystemdError) in
            if try d.hasOwnUnitFile(step.unit) { return try d.updateContainerUnit(request, restart: !live) }
            return try d.createContainerUnit(request)
        }
        return actions + change.actions.map(\.description)
    }
}
