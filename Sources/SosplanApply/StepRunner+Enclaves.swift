import SosplanCore
import SosplanDrivers

/// enclave.* through the co-kernel drivers. Each driver operation is a
/// whole sequence that rolls itself back; the engine's undo restores the
/// enclave as the journal recorded it.
extension StepRunner {
    func createEnclave(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(let name?, _, _) = try StepTarget.parse(step) else { throw StepFailure("step \(step.id): an enclave needs a name") }
        let d = try driver(try enclaveDriverKind(step))
        let request = EnclaveRequest(
            name: name, cpus: list(step.after["cpus"]), memory: StepMemory.chunks(step.after["memory"]),
            image: step.after["image"]?.stringValue, args: step.after["args"]?.stringValue,
            deviceGroup: step.after["deviceGroup"]?.stringValue)
        host.counts.operated()
        let instance: EnclaveInstance
        do { instance = try d.create(request) } catch { throw StepFailure.from(error) }
        try checkEnclave(instance, cpus: request.cpus, memory: request.memory)
        return StepResult(actions: ["booted \(d.driver.rawValue) instance \(instance.instance) on CPUs \(instance.cpus)"])
    }

    func destroyEnclave(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(let name, let kind, let instance) = try StepTarget.parse(step) else { throw StepFailure("not an enclave step") }
        let d = try driver(try kind.orElse { () throws(StepFailure) in try enclaveDriverKind(step) })
        host.counts.operated()
        do {
            if let name { try d.destroy(name) } else if let instance { try d.destroy(instance: instance) }
        } catch { throw StepFailure.from(error) }
        if let name, (try? d.instance(named: name)) ?? nil != nil {
            throw StepFailure("after shutting it down, enclave '\(name)' is still there")
        }
        return StepResult(actions: ["shut down \(step.target)"])
    }

    func growEnclave(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(let name?, _, _) = try StepTarget.parse(step) else { throw StepFailure("step \(step.id): an enclave needs a name") }
        let d = try driver(try enclaveDriverKind(step))
        let add = list(step.after["addCPUs"]), memory = StepMemory.chunks(step.after["addMemory"])
        host.counts.operated()
        let instance: EnclaveInstance
        do { instance = try d.grow(name, cpus: add, memory: memory) } catch { throw StepFailure.from(error) }
        let wanted = step.after["memory"].map { StepMemory.chunks($0) }
        try checkEnclave(instance, cpus: list(step.after["cpus"]), memory: wanted)
        return StepResult(actions: ["added \(add.isEmpty ? "" : "CPUs \(add)")\(memory.isEmpty ? "" : "\(add.isEmpty ? "" : " and ")memory \(StepMemory.describe(memory))")"])
    }

    func shrinkEnclave(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(let name?, _, _) = try StepTarget.parse(step) else { throw StepFailure("step \(step.id): an enclave needs a name") }
        let d = try driver(try enclaveDriverKind(step))
        let keep = list(step.after["cpus"])
        let remove = list(step.before["cpus"]).subtracting(keep)
        host.counts.operated()
        let instance: EnclaveInstance
        do { instance = try d.shrink(name, cpus: remove, memory: []) } catch { throw StepFailure.from(error) }
        try checkEnclave(instance, cpus: keep, memory: nil)
        return StepResult(actions: ["removed CPUs \(remove)"])
    }

    // MARK: Undo

    /// Shuts down what the create made, then gives back anything its
    /// co-kernel still holds reserved beyond what it held before (an
    /// interrupted IHK boot leaves CPUs and memory in the pool).
    func undoCreate(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard case .enclave(let name?, _, _) = try StepTarget.parse(step) else { return [] }
        let d = try driver(try enclaveDriverKind(step))
        var done: [String] = []
        do {
            if try d.instance(named: name) != nil {
                host.counts.operated()
                try d.destroy(name)
                done.append("shut down enclave '\(name)'")
            }
            for orphan in try orphans(of: d, besides: prior) {
                host.counts.operated()
                try d.destroy(instance: orphan.instance)
                done.append("shut down \(d.driver.rawValue) instance \(orphan.instance) (left by the interrupted create)")
            }
            let released = try d.releasePool(keeping: prior.pool)
            if !released.isEmpty {
                host.counts.operated()
                done.append("released \(released.joined(separator: " and ")) from the \(d.driver.rawValue) pool")
            }
        } catch { throw StepFailure.from(error) }
        return done
    }

    func undoDestroy(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.enclave else { return [] }
        guard let name = before.name else {
            throw StepFailure("\(step.target) had no name sosplan knows, so it cannot be booted again as it was")
        }
        let d = try driver(before.driver)
        if (try? d.instance(named: name)) ?? nil != nil { return [] }
        host.counts.operated()
        do {
            _ = try d.create(EnclaveRequest(name: name, cpus: before.cpus, memory: before.memory, image: before.image, args: before.args))
        } catch { throw StepFailure.from(error) }
        return ["booted enclave '\(name)' again on CPUs \(before.cpus)"]
    }

    func undoGrow(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.enclave, let name = before.name else { return [] }
        let d = try driver(before.driver)
        let now: EnclaveInstance?
        do { now = try d.instance(named: name) } catch { throw StepFailure.from(error) }
        guard let now else { return try undoDestroy(step, prior: prior) }
        let extraCPUs = now.cpus.subtracting(before.cpus)
        let extraMemory = Self.memoryBeyond(now.memory, before.memory)
        if extraCPUs.isEmpty && extraMemory.isEmpty { return [] }
        host.counts.operated()
        do {
            if (extraCPUs.isEmpty || d.capabilities.shrinkCPUsWhileRunning) && (extraMemory.isEmpty || d.capabilities.shrinkMemoryWhileRunning) {
                _ = try d.shrink(name, cpus: extraCPUs, memory: extraMemory)
                return ["removed CPUs \(extraCPUs) again"]
            }
            // The co-kernel cannot give them back while running: boot it again as it was.
            try d.destroy(name)
            _ = try d.create(EnclaveRequest(name: name, cpus: before.cpus, memory: before.memory, image: before.image, args: before.args))
            return ["booted enclave '\(name)' again as it was (\(d.driver.rawValue) cannot remove CPUs or memory from a running enclave)"]
        } catch { throw StepFailure.from(error) }
    }

    func undoShrink(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.enclave, let name = before.name else { return [] }
        let d = try driver(before.driver)
        let now: EnclaveInstance?
        do { now = try d.instance(named: name) } catch { throw StepFailure.from(error) }
        guard let now else { return try undoDestroy(step, prior: prior) }
        let missing = before.cpus.subtracting(now.cpus)
        guard !missing.isEmpty else { return [] }
        host.counts.operated()
        do { _ = try d.grow(name, cpus: missing, memory: []) } catch { throw StepFailure.from(error) }
        return ["added CPUs \(missing) back"]
    }

    // MARK: Helpers

    func list(_ v: JSONValue?) -> CPUSet { v?.stringValue.flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet() }

    func checkEnclave(_ instance: EnclaveInstance, cpus: CPUSet, memory: [MemoryChunk]?) throws(StepFailure) {
        var wrong: [String] = []
        if instance.cpus != cpus { wrong.append("it holds CPUs \(instance.cpus), not \(cpus)") }
        if let memory, MemoryChunk.merged(instance.memory) != MemoryChunk.merged(memory) {
            wrong.append("it holds memory \(StepMemory.describe(instance.memory)), not \(StepMemory.describe(memory))")
        }
        guard wrong.isEmpty else {
            throw StepFailure("after the change, enclave '\(instance.name ?? instance.instance)': \(wrong.joined(separator: "; "))")
        }
    }

    /// Unnamed instances that were not there before the step (a create
    /// killed before it recorded the name).
    func orphans(of d: any EnclaveDriver, besides prior: StepPrior) throws -> [EnclaveInstance] {
        let known = Set(prior.unnamedInstances ?? [])
        return try d.observeEnclaves().instances.filter { $0.name == nil && !known.contains($0.instance) }
    }

    static func memoryBeyond(_ now: [MemoryChunk], _ before: [MemoryChunk]) -> [MemoryChunk] {
        let was = Dictionary(MemoryChunk.merged(before).map { ($0.node, $0.bytes) }, uniquingKeysWith: +)
        return MemoryChunk.merged(now).compactMap { c in
            let w = was[c.node] ?? 0
            return c.bytes > w ? MemoryChunk(node: c.node, bytes: c.bytes - w) : nil
        }
    }
}
