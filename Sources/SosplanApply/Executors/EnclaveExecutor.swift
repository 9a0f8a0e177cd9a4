import SosplanCore
import SosplanDrivers

/// `enclave.create`, `enclave.grow`, `enclave.shrink`, `enclave.destroy`: a
/// thin adapter over the co-kernel's `EnclaveDriver`. Each driver operation
/// is a whole sequence that rolls itself back; the undo restores the
/// enclave as the journal recorded it.
struct EnclaveExecutor: StepExecutor {
    let host: ApplyHost

    /// The enclave and its co-kernel's pool, and the unnamed instances (an
    /// interrupted create may leave one more, which the undo shuts down).
    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        guard case .enclave(let target) = step.target else { throw StepFailure("step \(step.id): \(step.target) is not an enclave") }
        let d = try host.enclaveDriver(try driverKind(step))
        let observed: EnclaveObservation
        do { observed = try d.observeEnclaves() } catch { throw StepFailure.from(error) }
        var prior = StepPrior()
        prior.enclave = observed.instances.first { inst in
            switch target {
            case .named(let name): return inst.name == name
            case .instance(_, let handle): return inst.instance == handle
            }
        }
        prior.pool = observed.pool
        prior.unnamedInstances = observed.instances.filter { $0.name == nil }.map(\.instance)
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        switch step.action {
        case .enclaveCreate: return try create(step)
        case .enclaveGrow: return try grow(step)
        case .enclaveShrink: return try shrink(step)
        default: return try destroy(step)
        }
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        switch step.action {
        case .enclaveCreate: return try undoCreate(step, prior: prior)
        case .enclaveGrow: return try undoGrow(step, prior: prior)
        case .enclaveShrink: return try undoShrink(step, prior: prior)
        default: return try undoDestroy(step, prior: prior)
        }
    }

    /// The driver of an enclave step: from its target or the step, else
    /// from the observed instance of that name.
    func driverKind(_ step: Step) throws(StepFailure) -> EnclaveDriverKind {
        if case .enclave(.instance(let driver, _)) = step.target { return driver }
        if let raw = step.after["driver"]?.stringValue ?? step.before["driver"]?.stringValue,
            let kind = EnclaveDriverKind(rawValue: raw)
        {
            return kind
        }
        guard case .enclave(.named(let name)) = step.target else {
            throw StepFailure("step \(step.id): \(step.target) is not an enclave")
        }
        for (kind, d) in host.enclaves.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if (try? d.instance(named: name)) != nil { return kind }
        }
        throw StepFailure("step \(step.id): no co-kernel on this host has an enclave named '\(name)'")
    }

    func create(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(.named(let name)) = step.target else { throw StepFailure("step \(step.id): an enclave needs a name") }
        let d = try host.enclaveDriver(try driverKind(step))
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

    func destroy(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(let target) = step.target else { throw StepFailure("not an enclave step") }
        let d = try host.enclaveDriver(try driverKind(step))
        let name = target.name
        host.counts.operated()
        do {
            switch target {
            case .named(let name): try d.destroy(name)
            case .instance(_, let handle): try d.destroy(instance: handle)
            }
        } catch { throw StepFailure.from(error) }
        if let name, (try? d.instance(named: name)) ?? nil != nil {
            throw StepFailure("after shutting it down, enclave '\(name)' is still there")
        }
        return StepResult(actions: ["shut down \(step.target)"])
    }

    func grow(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(.named(let name)) = step.target else { throw StepFailure("step \(step.id): an enclave needs a name") }
        let d = try host.enclaveDriver(try driverKind(step))
        let add = list(step.after["addCPUs"]), memory = StepMemory.chunks(step.after["addMemory"])
        host.counts.operated()
        let instance: EnclaveInstance
        do { instance = try d.grow(name, cpus: add, memory: memory) } catch { throw StepFailure.from(error) }
        let wanted = step.after["memory"].map { StepMemory.chunks($0) }
        try checkEnclave(instance, cpus: list(step.after["cpus"]), memory: wanted)
        return StepResult(actions: ["added \(add.isEmpty ? "" : "CPUs \(add)")\(memory.isEmpty ? "" : "\(add.isEmpty ? "" : " and ")memory \(StepMemory.describe(memory))")"])
    }

    func shrink(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .enclave(.named(let name)) = step.target else { throw StepFailure("step \(step.id): an enclave needs a name") }
        let d = try host.enclaveDriver(try driverKind(step))
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
        guard case .enclave(.named(let name)) = step.target else { return [] }
        let d = try host.enclaveDriver(try driverKind(step))
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
        let d = try host.enclaveDriver(before.driver)
        if (try? d.instance(named: name)) ?? nil != nil { return [] }
        host.counts.operated()
        do {
            _ = try d.create(EnclaveRequest(name: name, cpus: before.cpus, memory: before.memory, image: before.image, args: before.args))
        } catch { throw StepFailure.from(error) }
        return ["booted enclave '\(name)' again on CPUs \(before.cpus)"]
    }

    func undoGrow(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.enclave, let name = before.name else { return [] }
        let d = try host.enclaveDriver(before.driver)
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
        let d = try host.enclaveDriver(before.driver)
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
