extension PlanSimulator {
    /// Enclave steps: instances appear, change and vanish; their CPUs go
    /// offline (owned) and come back online only if the co-kernel does that
    /// itself; their memory leaves and returns to the nodes' free memory.
    func applyEnclave(_ step: Step, to s: inout HostSnapshot) {
        guard case .enclave(let target) = step.target else { return }
        let index = s.enclaves.firstIndex { inst in
            switch target {
            case .named(let name): return inst.name == name || inst.ownerLabel == name
            case .instance(let driver, let handle): return inst.driver == driver && inst.instance == handle
            }
        }
        switch step.action {
        case .enclaveCreate:
            guard let name = target.name, let driver = step.after["driver"]?.stringValue.flatMap(EnclaveDriverKind.init(rawValue:))
            else { return }
            let cpus = list(step.after["cpus"])
            let memory = StepBuilder.memoryChunks(step.after["memory"])
            let used = Set(s.enclaves.filter { $0.driver == driver }.map(\.instance))
            let instance = (0...).first { !used.contains(String($0)) }!
            let inst = EnclaveInstance(
                driver: driver, instance: String(instance), name: name, state: "RUNNING", cpus: cpus, memory: memory,
                image: step.after["image"]?.stringValue, args: step.after["args"]?.stringValue)
            s.enclaves.append(inst)
            s.enclaves.sort { ($0.driver.rawValue, $0.instance) < ($1.driver.rawValue, $1.instance) }
            take(cpus, owner: inst.ownerLabel, in: &s)
            moveMemory(memory, out: true, in: &s)
        case .enclaveDestroy:
            guard let i = index else { return }
            let inst = s.enclaves.remove(at: i)
            give(inst.cpus, driver: inst.driver, in: &s)
            moveMemory(inst.memory, out: false, in: &s)
        case .enclaveGrow:
            guard let i = index else { return }
            let added = list(step.after["addCPUs"])
            let addMemory = StepBuilder.memoryChunks(step.after["addMemory"])
            s.enclaves[i].cpus.formUnion(added)
            var have = Dictionary(s.enclaves[i].memory.map { ($0.node, $0.bytes) }, uniquingKeysWith: +)
            for c in addMemory { have[c.node, default: 0] += c.bytes }
            s.enclaves[i].memory = have.sorted { $0.key < $1.key }.map { MemoryChunk(node: $0.key, bytes: $0.value) }
            take(added, owner: s.enclaves[i].ownerLabel, in: &s)
            moveMemory(addMemory, out: true, in: &s)
        case .enclaveShrink:
            guard let i = index else { return }
            let keep = list(step.after["cpus"])
            let removed = s.enclaves[i].cpus.subtracting(keep)
            s.enclaves[i].cpus = keep
            give(removed, driver: s.enclaves[i].driver, in: &s)
        default:
            break
        }
        s.enclaves.sort { ($0.driver.rawValue, $0.instance) < ($1.driver.rawValue, $1.instance) }
    }

    private func list(_ v: JSONValue?) -> CPUSet { v?.stringValue.flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet() }

    private func take(_ cpus: CPUSet, owner: String, in s: inout HostSnapshot) {
        for i in s.topology.cpus.indices where cpus.contains(s.topology.cpus[i].id) {
            s.topology.cpus[i].online = false
            s.topology.cpus[i].owner = owner
        }
    }

    private func give(_ cpus: CPUSet, driver: EnclaveDriverKind, in s: inout HostSnapshot) {
        let onlines = capabilities[driver]?.onlinesCPUsOnRelease ?? true
        for i in s.topology.cpus.indices where cpus.contains(s.topology.cpus[i].id) {
            s.topology.cpus[i].owner = nil
            if onlines { s.topology.cpus[i].online = true }
        }
    }

    private func moveMemory(_ chunks: [MemoryChunk], out: Bool, in s: inout HostSnapshot) {
        for c in chunks {
            guard let n = s.topology.nodes.firstIndex(where: { $0.id == c.node }) else { continue }
            if out {
                s.topology.nodes[n].freeBytes -= min(c.bytes, s.topology.nodes[n].freeBytes)
            } else {
                s.topology.nodes[n].freeBytes += c.bytes
            }
        }
    }
}
