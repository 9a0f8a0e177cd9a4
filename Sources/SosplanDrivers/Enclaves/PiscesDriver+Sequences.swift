import FoundationEssentials
import Glibc
import SosplanCore

/// Whole Pisces sequences (pis README; pis18 `pisces.c`; lev
/// `shell/pisces.c`): load → launch on the boot CPU and one block → add
/// memory → add CPUs; grow by adding; teardown by `pisces_shutdown`. The
/// tools offline what they hand over; sosplan never does it for them.
extension PiscesDriver {
    public func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        do {
            try EnclaveText.checkName(request.name)
            if let image = request.image { try EnclaveText.checkAbsolutePath(image, field: "image") }
            if let args = request.args { try EnclaveText.checkArgument(args, field: "args") }
        } catch { throw EnclaveError.from(error) }
        guard request.deviceGroup == nil else {
            throw EnclaveError(.invalid, "Pisces has no per-enclave device nodes to give a group (deviceGroup is McKernel's)")
        }
        let observed: EnclaveObservation
        do { observed = try observeEnclaves() } catch { throw EnclaveError.from(error) }
        if observed.instances.contains(where: { $0.name == request.name }) {
            throw EnclaveError(.busy, "Pisces enclave '\(request.name)' already exists")
        }
        if let limit = capabilities.maximumInstances, observed.instances.count >= limit {
            throw EnclaveError(.busy, "Pisces already has \(limit) enclaves (MAX_ENCLAVES)")
        }
        try checkCPUs(request.cpus)
        guard !request.memory.isEmpty else { throw EnclaveError(.invalid, "a Pisces enclave needs at least one memory block") }
        let wanted = try blockCounts(request.memoryByNode)
        let order = request.cpus.sorted
        let bootCPU = order[0]
        let bootNode = hotplug.cpuNodes()[bootCPU].flatMap { wanted[$0] != nil ? $0 : nil } ?? wanted.keys.min()!
        let image = request.image ?? defaultImage
        let initTask = self.initTask ?? PathComponents.directory(image) + "/lwk_init"
        let args = request.args ?? defaultArgs
        var rollback = RollbackStack()
        do {
            let id = try load(image: image, initTask: initTask, commandLine: args)
            rollback.push("shut down and free enclave \(id)") { try shutdownAndFree(id) }
            let bootBlock = try launch(id, cpu: bootCPU, node: bootNode)
            var rest = wanted
            rest[bootNode, default: 1] -= 1
            try addMemoryBlocks(id, try chooseBlocks(rest, excluding: [bootBlock]))
            try addCPUs(id, Array(order.dropFirst()))
            try stateDirectory.recordEnclave(
                EnclaveRegistryEntry(
                    name: request.name, driver: .pisces, instance: String(id), cpus: request.cpus,
                    memory: request.memoryByNode, image: image, args: args, lifecycle: .booted, cpuOrder: order))
            rollback.commit()
            guard let instance = try instance(named: request.name) else {
                throw EnclaveError(.inconsistent, "Pisces enclave '\(request.name)' launched but is not observed")
            }
            return instance
        } catch {
            throw rollback.fail(error)
        }
    }

    /// Adds CPUs (in ascending order, so Kitten numbers them so) and memory
    /// blocks to a running enclave. Neither can be taken back, so a partial
    /// add is recorded as it ended and reported; the planner recreates the
    /// enclave to undo it.
    public func grow(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        let id = try id(named: name)
        let counts = memory.isEmpty ? [:] : try blockCounts(MemoryChunk.merged(memory))
        var failure: EnclaveError?
        do {
            try addCPUs(id, cpus.sorted)
            try addMemoryBlocks(id, try chooseBlocks(counts, excluding: []))
        } catch {
            failure = error
        }
        let instance = try recordCurrent(name, id)
        if let failure { throw failure }
        return instance
    }

    /// No Pisces tool removes a CPU since 2015 (pis18 `pisces_add.c:46-54`
    /// has no `--remove`), the module would keep a removed CPU listed
    /// anyway (`src/enclave_ctrl.c:295`), and memory cannot be removed at
    /// all (`enclave_ctrl.c:322-327`): a smaller enclave is a recreate.
    public func shrink(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        let id = try id(named: name)
        if cpus.isEmpty && memory.allSatisfy({ $0.bytes == 0 }) { return try recordCurrent(name, id) }
        let what = cpus.isEmpty ? "memory" : memory.allSatisfy({ $0.bytes == 0 }) ? "CPUs \(cpus)" : "CPUs \(cpus) and memory"
        throw EnclaveError(
            .notSupportedWhileRunning,
            "Pisces cannot take \(what) from a running enclave (no tool removes a CPU, and REMOVE_MEM is not supported); recreate '\(name)'")
    }

    public func destroy(_ name: String) throws(EnclaveError) {
        try destroy(instance: String(try id(named: name)))
    }

    public func destroy(instance: String) throws(EnclaveError) {
        guard let id = Int(instance), exists(id) else { throw EnclaveError(.notFound, "Pisces enclave \(instance) does not exist") }
        try shutdownAndFree(id)
        for entry in stateDirectory.readEnclaveRegistry().entries where entry.driver == .pisces && entry.instance == instance {
            do { try stateDirectory.forgetEnclave(name: entry.name, driver: .pisces) } catch {
                throw EnclaveError(.permission, "enclave '\(entry.name)' is gone but the registry was not updated: \(error)")
            }
        }
    }

    // MARK: Helpers

    /// Blocks wanted per node for `memory` (block multiples), after checking
    /// each node has that many online, removable blocks; nothing is touched.
    func blockCounts(_ memory: [MemoryChunk]) throws(EnclaveError) -> [Int: Int] {
        guard let bs = hotplug.memoryBlockSize() else {
            throw EnclaveError(.notSupportedWhileRunning, "this kernel has no memory hotplug (no block_size_bytes)")
        }
        let all = hotplug.memoryBlocks()
        var counts: [Int: Int] = [:]
        for chunk in memory {
            guard chunk.bytes > 0, chunk.bytes % bs == 0 else {
                throw EnclaveError(.invalid, "Pisces memory moves in \(ByteSize(bs)) blocks; \(ByteSize(chunk.bytes)) on node \(chunk.node) is not a multiple")
            }
            let wanted = Int(chunk.bytes / bs)
            let free = all.filter { $0.node == chunk.node && $0.online && $0.removable }.count
            guard free >= wanted else {
                throw EnclaveError(.insufficientMemory, "node \(chunk.node) has \(free) removable memory blocks, \(wanted) wanted")
            }
            counts[chunk.node] = wanted
        }
        return counts
    }

    /// Online, removable blocks, lowest ids first, `counts` per node.
    func chooseBlocks(_ counts: [Int: Int], excluding taken: Set<Int>) throws(EnclaveError) -> [Int] {
        let all = hotplug.memoryBlocks()
        var chosen: [Int] = []
        for node in counts.keys.sorted() where counts[node]! > 0 {
            let free = all.filter { $0.node == node && $0.online && $0.removable && !taken.contains($0.id) }.map(\.id)
            guard free.count >= counts[node]! else {
                throw EnclaveError(.insufficientMemory, "node \(node) has \(free.count) removable memory blocks, \(counts[node]!) wanted")
            }
            chosen += free.prefix(counts[node]!)
        }
        return chosen
    }

    /// Records what the enclave holds now, and the order its CPUs joined
    /// (the old order, then the new CPUs ascending).
    func recordCurrent(_ name: String, _ id: Int) throws(EnclaveError) -> EnclaveInstance {
        guard let old = stateDirectory.readEnclaveRegistry().entries.first(where: { $0.name == name && $0.driver == .pisces }),
            let now = try? observeEnclaves().instances.first(where: { $0.instance == String(id) })
        else { throw EnclaveError(.notFound, "Pisces enclave '\(name)' vanished") }
        var entry = old
        entry.cpus = now.cpus
        entry.memory = now.memory
        entry.cpuOrder = Self.joinOrder(old.cpuOrder ?? [], of: now.cpus)
        do { try stateDirectory.recordEnclave(entry) } catch {
            throw EnclaveError(.permission, "cannot update the enclave registry: \(error)")
        }
        var named = now
        named.name = name
        named.cpuOrder = entry.cpuOrder
        return named
    }
}
