extension StepBuilder {
    /// Enclave creates, live changes, recreates and teardowns, with the CPU
    /// hand-overs around them: co-kernels that do not take CPUs out of
    /// Linux themselves get `cpu.offline` steps first, and those that do not
    /// give them back get `cpu.online` steps after.
    mutating func buildEnclaves() {
        for inst in observed.orphanedEnclaves {
            let key = destroy(inst, driver: inst.driver, reason: "no longer in the layout", disruption: .recreate)
            enclaveTeardownsByDriver[inst.driver, default: []].append(key)
        }
        for enclave in layout.enclaves {
            guard let desired = placement.enclave(enclave.name) else { continue }
            let current = observed.enclaves[enclave.name]
            let caps = capabilities[enclave.driver]
            switch EnclaveChange.classify(current: current, spec: enclave, desired: desired, capabilities: caps) {
            case .unchanged:
                continue
            case .create:
                create(enclave, desired, disruption: .live, reason: nil, after: [])
            case .recreate(let reasons):
                // Deferred recreates were pinned by the planner; what is left is allowed.
                let key = destroy(current!, driver: enclave.driver, reason: "recreate: " + reasons.joined(separator: "; "), disruption: .recreate)
                enclaveTeardownStep[enclave.name] = key
                enclaveTeardownsByDriver[enclave.driver, default: []].append(key)
                create(enclave, desired, disruption: .recreate, reason: "recreate: " + reasons.joined(separator: "; "), after: [key])
            case .live(let remove, let add, let addMemory):
                var after: [String] = []
                if !remove.isEmpty {
                    after.append(shrink(enclave, current!, remove: remove))
                }
                if !add.isEmpty || !addMemory.isEmpty {
                    grow(enclave, current!, desired, add: add, addMemory: addMemory, after: after)
                }
            }
        }
    }

    private func target(_ name: String) -> StepTarget { .enclave(.named(name)) }

    /// CPUs that go to Linux (not to another enclave) when released.
    private func toLinux(_ cpus: CPUSet) -> CPUSet { cpus.subtracting(enclaveBoundCPUs) }
    /// CPUs that come from Linux (not from another enclave) when acquired.
    private func fromLinux(_ cpus: CPUSet) -> CPUSet { cpus.subtracting(enclaveHeldCPUs) }

    @discardableResult
    private mutating func destroy(_ inst: EnclaveInstance, driver: EnclaveDriverKind, reason: String, disruption: Disruption) -> String {
        let name = inst.name ?? "\(driver.rawValue):\(inst.instance)"
        let target: StepTarget = .enclave(inst.name.map { .named($0) } ?? .instance(driver: driver, handle: inst.instance))
        var d = StepDraft("destroy:\(name)", .enclaveDestroy, target: target, disruption: disruption,
            phase: .releaseEnclaves, side: .enclave, reason: reason)
        d.before = ["driver": .string(driver.rawValue), "cpus": .string(inst.cpus.description), "memory": StepBuilder.memoryValue(inst.memory)]
        d.releasesMemory = inst.memory
        let back = toLinux(inst.cpus)
        let onlinesItself = capabilities[driver]?.onlinesCPUsOnRelease ?? true
        d.releasesCPUs = onlinesItself ? inst.cpus : inst.cpus.subtracting(back)
        add(d)
        if !onlinesItself && !back.isEmpty { online(back, from: name, after: d.key) }
        return d.key
    }

    private mutating func create(_ enclave: EnclaveSpec, _ desired: EnclavePlacement, disruption: Disruption, reason: String?, after: [String]) {
        var d = StepDraft("create:\(enclave.name)", .enclaveCreate, target: target(enclave.name), disruption: disruption,
            phase: .acquireEnclaves, side: .enclave, reason: reason)
        d.after = ["driver": .string(enclave.driver.rawValue), "cpus": .string(desired.cpus.description),
                   "memory": StepBuilder.memoryValue(desired.memory)]
        if let image = enclave.image { d.after["image"] = .string(image) }
        if let args = enclave.args { d.after["args"] = .string(args) }
        if let group = enclave.deviceGroup { d.after["deviceGroup"] = .string(group) }
        d.acquiresMemory = desired.memory
        // A co-kernel with an instance limit boots after its other instances are gone.
        d.after_ = after + drafts.filter { $0.action == .enclaveDestroy && $0.before["driver"]?.stringValue == enclave.driver.rawValue }.map(\.key)
        handOver(&d, cpus: desired.cpus, driver: enclave.driver, name: enclave.name)
        add(d)
        enclaveReadyStep[enclave.name] = d.key
        enclavesBooted.insert(enclave.name)
    }

    private mutating func shrink(_ enclave: EnclaveSpec, _ current: EnclaveInstance, remove: CPUSet) -> String {
        var d = StepDraft("shrink:\(enclave.name)", .enclaveShrink, target: target(enclave.name), disruption: .live,
            phase: .releaseEnclaves, side: .enclave)
        d.before = ["cpus": .string(current.cpus.description)]
        d.after = ["cpus": .string(current.cpus.subtracting(remove).description)]
        let back = toLinux(remove)
        let onlinesItself = capabilities[enclave.driver]?.onlinesCPUsOnRelease ?? true
        d.releasesCPUs = onlinesItself ? remove : remove.subtracting(back)
        add(d)
        if !onlinesItself && !back.isEmpty { online(back, from: enclave.name, after: d.key) }
        enclaveReadyStep[enclave.name] = d.key
        return d.key
    }

    private mutating func grow(
        _ enclave: EnclaveSpec, _ current: EnclaveInstance, _ desired: EnclavePlacement, add cpus: CPUSet,
        addMemory: [MemoryChunk], after: [String]
    ) {
        var d = StepDraft("grow:\(enclave.name)", .enclaveGrow, target: target(enclave.name), disruption: .live,
            phase: .acquireEnclaves, side: .enclave)
        // After any shrink step, the enclave holds what it keeps.
        d.before = ["cpus": .string(desired.cpus.subtracting(cpus).description)]
        d.after = ["cpus": .string(desired.cpus.description)]
        if !addMemory.isEmpty {
            d.before["memory"] = StepBuilder.memoryValue(current.memory)
            d.after["memory"] = StepBuilder.memoryValue(desired.memory)
        }
        if !cpus.isEmpty { d.after["addCPUs"] = .string(cpus.description) }
        if !addMemory.isEmpty { d.after["addMemory"] = StepBuilder.memoryValue(addMemory) }
        d.acquiresMemory = addMemory
        d.after_ = after
        handOver(&d, cpus: cpus, driver: enclave.driver, name: enclave.name)
        add(d)
        enclaveReadyStep[enclave.name] = d.key
    }

    /// CPUs an enclave step takes: from Linux through a `cpu.offline` step
    /// when the co-kernel does not offline them itself, directly otherwise.
    private mutating func handOver(_ d: inout StepDraft, cpus: CPUSet, driver: EnclaveDriverKind, name: String) {
        let offlinesItself = capabilities[driver]?.offlinesCPUsItself ?? true
        let linux = fromLinux(cpus)
        guard !offlinesItself, !linux.isEmpty else {
            d.acquiresCPUs = cpus
            return
        }
        var off = StepDraft("offline:\(name):\(d.key)", .cpuOffline, target: .cpus(linux), disruption: .live,
            phase: .offlineCPUs, side: .transition, reason: "for enclave '\(name)'")
        off.before = ["online": .bool(true)]
        off.after = ["online": .bool(false)]
        off.acquiresCPUs = linux
        add(off)
        d.acquiresCPUs = cpus.subtracting(linux)
        d.after_.append(off.key)
    }

    private mutating func online(_ cpus: CPUSet, from name: String, after key: String) {
        var on = StepDraft("online:\(name):\(key)", .cpuOnline, target: .cpus(cpus), disruption: .live,
            phase: .onlineCPUs, side: .transition, reason: "released by enclave '\(name)'")
        on.before = ["online": .bool(false)]
        on.after = ["online": .bool(true)]
        on.releasesCPUs = cpus
        on.after_ = [key]
        add(on)
    }
}
