/// Simulated execution: applies a plan's steps to a snapshot value the way
/// the drivers would change the host, and returns the snapshot the next
/// observation should see. Tests and benchmarks use it to check that plans
/// converge (plan, simulate, plan again: no changes); each step action says
/// here what it leaves behind.
public struct PlanSimulator {
    public let capabilities: [EnclaveDriverKind: EnclaveCapabilities]

    public init(capabilities: [EnclaveDriverKind: EnclaveCapabilities]) {
        self.capabilities = capabilities
    }

    public func apply(_ plan: Plan, to snapshot: HostSnapshot) -> HostSnapshot {
        var s = snapshot
        for step in plan.steps { apply(step, to: &s) }
        s.refreshFingerprint()
        return s
    }

    public func apply(_ step: Step, to s: inout HostSnapshot) {
        let unit = step.target.unitName ?? ""
        switch step.action {
        case .sliceCreate, .sliceUpdate:
            updateUnit(unit, in: &s) { u in
                guard let settings = try? step.sliceSettings(over: ResourceControl(observed: u)) else { return }
                settings.write(to: &u)
            }
        case .containerCreate, .containerUpdate:
            updateUnit(unit, in: &s) { u in PlanSimulator.runContainer(step, in: &u) }
        case .sliceRemove, .unitRemove, .containerRemove:
            s.systemd?.units.removeAll { $0.name == unit }
        case .unitPlace, .unitCreate, .unitUpdate:
            updateUnit(unit, in: &s) { u in
                if let slice = step.after["Slice"] { u.slice = slice.stringValue }
                if let exec = step.after["ExecStart"]?.arrayValue {
                    // The launcher's own arguments are resolved at apply time; the app's vector ends ExecStart.
                    let launcher = step.after["Launcher"]?.stringValue.map { [JSONValue.string("<\($0) launcher>")] } ?? []
                    u.execStart = (launcher + exec).compactMap(\.stringValue)
                }
                if step.after[NUMAPolicySetting.policyKey] != nil { u.numaPolicy = NUMAPolicySetting(planProperties: step.after) }
            }
        case .unitRelease:
            updateUnit(unit, in: &s) { u in
                u.slice = "system.slice"
                u.managed = false
            }
        case .hostConfine:
            let cpus = step.after["AllowedCPUs"]?.stringValue.flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet()
            for name in StepBuilder.hostUnits {
                updateUnit(name, in: &s) { u in
                    u.allowedCPUs = cpus.isEmpty ? nil : cpus
                    u.managed = !cpus.isEmpty
                }
            }
        case .cpuOffline, .cpuOnline:
            let cpus = step.target.cpus
            for i in s.topology.cpus.indices where cpus.contains(s.topology.cpus[i].id) {
                s.topology.cpus[i].online = step.action == .cpuOnline
                s.topology.cpus[i].owner = nil
            }
        case .memoryOffline, .memoryOnline:
            break
        case .hugepagesSet:
            setHugepages(step, in: &s)
        case .enclaveCreate, .enclaveGrow, .enclaveShrink, .enclaveDestroy:
            applyEnclave(step, to: &s)
        case .kubeletStop, .kubeletStart:
            updateUnit(unit, in: &s) { u in u.activeState = step.action == .kubeletStart ? "active" : "inactive" }
        case .kubeletClearCPUState:
            // The kubelet writes a fresh state for the CPUs it then has.
            s.kubelet?.cpuManagerState = nil
        case .irqAffinity, .irqDefaultAffinity, .workqueueMask, .irqbalanceBan, .irqbalanceStop, .irqbalanceStart, .cpuidleSet,
            .cpufreqSet, .kernelCommandLine:
            applyKernel(step, to: &s)
        case .slurmNode:
            if let line = step.after[SlurmNodeStep.lineKey]?.stringValue, let node = try? SlurmNodeDefinition.parse(fileText: line),
                let file = step.after[SlurmNodeStep.fileKey]?.stringValue {
                s.slurm = SlurmObservation(nodeConfig: file, node: node)
            }
        }
    }

    /// What the container driver leaves: the unit runs podman with the
    /// step's values on top of the unit's, and the container runs them.
    static func runContainer(_ step: Step, in u: inout SystemdUnit) {
        let name = String((step.target.unitName ?? "").dropLast(".service".count))
        let base = u.execStart.flatMap(ContainerRun.parse)
        guard let run = try? ContainerRun(properties: step.after, name: name, base: base?.run) else { return }
        u.execStart = run.argumentVector(podman: base?.podman ?? "/usr/bin/podman")
        if let slice = step.after["Slice"]?.stringValue { u.slice = slice }
        var c = u.container ?? ContainerState(name: name, state: "running")
        if step.disruption >= .restart || !c.isRunning {
            c = ContainerState(name: name, state: "running")
        }
        c.image = run.spec.image
        c.cpusetCpus = run.cpus
        c.cpusetMems = run.memoryNodes
        c.memory = run.memory
        c.memoryReservation = run.memoryReservation
        u.container = c
        u.activeState = "active"
    }

    private func updateUnit(_ name: String, in s: inout HostSnapshot, _ change: (inout SystemdUnit) -> Void) {
        var state = s.systemd ?? SystemdState()
        if let i = state.units.firstIndex(where: { $0.name == name }) {
            change(&state.units[i])
        } else {
            var u = SystemdUnit(name: name, managed: true)
            u.loadState = "loaded"
            u.activeState = "active"
            change(&u)
            state.units.append(u)
        }
        s.systemd = SystemdState(units: state.units)
    }

    private func setHugepages(_ step: Step, in s: inout HostSnapshot) {
        guard case .hugepages(let target) = step.target, let count = step.after["count"]?.intValue,
            let n = s.topology.nodes.firstIndex(where: { $0.id == target.node })
        else { return }
        let size = ByteSize(target.sizeBytes)
        var pools = s.topology.nodes[n].hugepages
        let i = pools.firstIndex { $0.sizeBytes == size.bytes } ?? {
            pools.append(HugepagePool(sizeBytes: size.bytes, total: 0, free: 0))
            return pools.count - 1
        }()
        let delta = count - pools[i].total
        pools[i].total = count
        pools[i].free = max(pools[i].free + delta, 0)
        s.topology.nodes[n].hugepages = pools.sorted { $0.sizeBytes < $1.sizeBytes }
        let bytes = Int64(delta) * Int64(size.bytes)
        let free = Int64(s.topology.nodes[n].freeBytes) - bytes
        s.topology.nodes[n].freeBytes = UInt64(max(free, 0))
    }
}
