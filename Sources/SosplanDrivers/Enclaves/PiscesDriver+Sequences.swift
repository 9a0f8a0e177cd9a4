import Foundation
import SosplanCore

/// Whole Pisces sequences (research §2.2): load → offline the boot CPU and
/// block → launch → (offline → add)* ; grow by adding, shrink CPUs by
/// removing and onlining; teardown by snapshot → shutdown → free → online.
extension PiscesDriver {
    public func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        do {
            try EnclaveText.checkName(request.name)
            if let image = request.image { try EnclaveText.checkAbsolutePath(image, field: "image") }
            if let args = request.args { try EnclaveText.checkArgument(args, field: "args") }
        } catch { throw EnclaveError.from(error) }
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
        var blocks = try planBlocks(request.memoryByNode)
        let bootCPU = request.cpus.first!
        let bootNode = hotplug.cpuNodes()[bootCPU].flatMap { blocks[$0] != nil ? $0 : nil } ?? blocks.keys.min()!
        let bootBlock = blocks[bootNode]!.removeFirst()
        let image = request.image ?? defaultImage
        let initTask = self.initTask ?? (image as NSString).deletingLastPathComponent + "/lwk_init"
        let args = request.args ?? defaultArgs
        var rollback = RollbackStack()
        do {
            let id = try load(image: image, initTask: initTask, commandLine: args)
            rollback.push("Pisces enclave \(id) stays LOADED, holding nothing (the tools cannot free an enclave that never ran)") {
                if (try? read(id))?.cpus.isEmpty == true { throw EnclaveError(.notReady, "left LOADED") }
            }
            try launch(id, cpu: bootCPU, blocks: [bootBlock], node: bootNode)
            rollback.push("shut down and free enclave \(id)") { try shutdownAndFree(id) }
            try addMemoryBlocks(id, blocks.keys.sorted().flatMap { blocks[$0]! })
            try addCPUs(id, request.cpus.subtracting(CPUSet([bootCPU])))
            try stateDirectory.recordEnclave(
                EnclaveRegistryEntry(
                    name: request.name, driver: .pisces, instance: String(id), cpus: request.cpus,
                    memory: request.memoryByNode, image: image, args: args))
            rollback.commit()
            guard let instance = try instance(named: request.name) else {
                throw EnclaveError(.inconsistent, "Pisces enclave '\(request.name)' launched but is not observed")
            }
            return instance
        } catch {
            throw rollback.fail(error)
        }
    }

    /// Adds CPUs (reversible) first, then memory blocks (not reversible).
    public func grow(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        let id = try id(named: name)
        let blocks = memory.isEmpty ? [:] : try planBlocks(MemoryChunk.merged(memory))
        var rollback = RollbackStack()
        do {
            try addCPUs(id, cpus)
            if !cpus.isEmpty { rollback.push("remove CPUs \(cpus)") { try removeFromEnclave(id, cpus) } }
            try addMemoryBlocks(id, blocks.keys.sorted().flatMap { blocks[$0]! })
            rollback.commit()
        } catch {
            throw rollback.fail(error)
        }
        return try recordCurrent(name, id)
    }

    /// Removes CPUs and onlines them; memory cannot leave a Pisces enclave.
    public func shrink(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        let id = try id(named: name)
        guard memory.allSatisfy({ $0.bytes == 0 }) else {
            throw EnclaveError(
                .notSupportedWhileRunning, "Pisces cannot remove memory from a running enclave (REMOVE_MEM is not supported); recreate '\(name)'")
        }
        try removeCPUs(id, cpus)
        return try recordCurrent(name, id)
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

    /// Online, removable blocks per node for `memory` (block multiples),
    /// lowest ids first; nothing is touched when there are too few.
    func planBlocks(_ memory: [MemoryChunk]) throws(EnclaveError) -> [Int: [Int]] {
        guard let bs = hotplug.memoryBlockSize() else {
            throw EnclaveError(.notSupportedWhileRunning, "this kernel has no memory hotplug (no block_size_bytes)")
        }
        let all = hotplug.memoryBlocks()
        var plan: [Int: [Int]] = [:]
        for chunk in memory {
            guard chunk.bytes > 0, chunk.bytes % bs == 0 else {
                throw EnclaveError(.invalid, "Pisces memory moves in \(ByteSize(bs)) blocks; \(ByteSize(chunk.bytes)) on node \(chunk.node) is not a multiple")
            }
            let wanted = Int(chunk.bytes / bs)
            let free = all.filter { $0.node == chunk.node && $0.online && $0.removable }.map(\.id)
            guard free.count >= wanted else {
                throw EnclaveError(
                    .insufficientMemory, "node \(chunk.node) has \(free.count) removable memory blocks, \(wanted) wanted")
            }
            plan[chunk.node] = Array(free.prefix(wanted))
        }
        return plan
    }

    func recordCurrent(_ name: String, _ id: Int) throws(EnclaveError) -> EnclaveInstance {
        guard let old = stateDirectory.readEnclaveRegistry().entries.first(where: { $0.name == name && $0.driver == .pisces }),
            let now = try? observeEnclaves().instances.first(where: { $0.instance == String(id) })
        else { throw EnclaveError(.notFound, "Pisces enclave '\(name)' vanished") }
        var entry = old
        entry.cpus = now.cpus
        entry.memory = now.memory
        do { try stateDirectory.recordEnclave(entry) } catch {
            throw EnclaveError(.permission, "cannot update the enclave registry: \(error)")
        }
        var named = now
        named.name = name
        return named
    }
}
