import Foundation
import SosplanCore

/// Whole IHK sequences (research §1.4, §1.5): boot like mcreboot (reserve
/// mem, then cpu; create; assign cpu; assign mem; load; kargs; boot) and
/// unwind like its `error_exit`; tear down like mcstop+release (shutdown,
/// destroy with retries, release cpu, release mem).
extension IHKDriver {
    public func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        try validate(request)
        let observed: EnclaveObservation
        do { observed = try observeEnclaves() } catch { throw EnclaveError.from(error) }
        if observed.instances.contains(where: { $0.name == request.name }) {
            throw EnclaveError(.busy, "McKernel enclave '\(request.name)' already exists")
        }
        if let live = observed.instances.first(where: { $0.state != IHKFormat.OSStatus.inactive.rawValue }) {
            throw EnclaveError(
                .busy, "IHK device \(device) already runs OS \(live.instance) (\(live.name ?? "unnamed")); it boots one OS at a time")
        }
        let pool = observed.pool ?? EnclavePool(driver: .mckernel, cpus: CPUSet(), memory: [])
        let image = request.image ?? defaultImage
        let args = Self.withHidos(request.args ?? defaultArgs)
        var rollback = RollbackStack()
        do {
            // 1. Reserve what the pool does not already hold: memory first, then CPUs.
            let memory = shortfall(request.memoryByNode, pool: pool.memory)
            if !memory.isEmpty {
                try reserveMemory(memory)
                rollback.push("release mem \(IHKFormat.formatMemoryArgument(memory))") { try releaseMemory(memory) }
            }
            let cpus = request.cpus.subtracting(pool.cpus)
            if !cpus.isEmpty {
                try reserveCPUs(cpus)
                rollback.push("release cpu \(cpus)") { try releaseCPUs(cpus) }
            }
            // 2. Create the OS; destroying it returns its resources to the pool.
            let index = try createOS()
            rollback.push("destroy OS \(index)") { try destroyOS(index) }
            try assignCPUs(index, request.cpus)
            try assignMemory(index, request.memoryByNode)
            try load(index, image: image)
            try setKernelArguments(index, args)
            rollback.push("shutdown OS \(index)") { try? shutdown(index) }
            try boot(index)
            try stateDirectory.recordEnclave(
                EnclaveRegistryEntry(
                    name: request.name, driver: .mckernel, instance: String(index), cpus: request.cpus,
                    memory: request.memoryByNode, image: image, args: args))
            rollback.commit()
            return try observe(index, name: request.name)
        } catch {
            throw rollback.fail(error)
        }
    }

    /// IHK cannot change a booted OS (assign/release need INITIAL).
    public func grow(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        _ = try index(named: name)
        throw EnclaveError(
            .notSupportedWhileRunning, "McKernel cannot add CPUs or memory to a booted OS; recreate '\(name)'")
    }

    public func shrink(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        _ = try index(named: name)
        throw EnclaveError(
            .notSupportedWhileRunning, "McKernel cannot remove CPUs or memory from a booted OS; recreate '\(name)'")
    }

    public func destroy(_ name: String) throws(EnclaveError) {
        let index = try index(named: name)
        try destroy(instance: String(index))
    }

    /// Shuts the OS down, destroys it (retrying EBUSY), then releases its
    /// CPUs and memory from the pool so Linux has them back.
    public func destroy(instance: String) throws(EnclaveError) {
        guard let index = Int(instance), try osInstances().contains(index) else {
            throw EnclaveError(.notFound, "IHK OS \(instance) does not exist")
        }
        let entry = stateDirectory.readEnclaveRegistry().entries.first { $0.driver == .mckernel && $0.instance == instance }
        // What the OS holds now; after a shutdown it is already back in the
        // pool, so the registry's record is the fallback.
        let held = try queryOS(index)
        var cpus = held.cpus, memory = MemoryChunk.merged(held.memory)
        if cpus.isEmpty, let entry {
            cpus = entry.cpus
            memory = entry.memory
        }
        do { try shutdown(index) } catch where error.kind == .timeout || error.kind == .toolFailed {
            // destroy force-shuts the OS down anyway (research §1.2).
        }
        try destroyOS(index)
        let pool = try queryPool()
        try releaseCPUs(cpus.intersection(pool.cpus))
        let releasable = memory.compactMap { c -> MemoryChunk? in
            let available = bytes(pool.memory, node: c.node)
            return available == 0 ? nil : MemoryChunk(node: c.node, bytes: min(c.bytes, available))
        }
        try releaseMemory(releasable)
        if let entry {
            do { try stateDirectory.forgetEnclave(name: entry.name, driver: .mckernel) } catch {
                throw EnclaveError(.permission, "enclave '\(entry.name)' is gone but the registry was not updated: \(error)")
            }
        }
    }

    /// Releases pool CPUs and memory that `keep` (the pool before an apply)
    /// did not hold: what an interrupted create reserved.
    public func releasePool(keeping keep: EnclavePool?) throws(EnclaveError) -> [String] {
        let pool = try queryPool()
        var released: [String] = []
        let cpus = pool.cpus.subtracting(keep?.cpus ?? CPUSet())
        if !cpus.isEmpty {
            try releaseCPUs(cpus)
            released.append("CPUs \(cpus)")
        }
        let kept = MemoryChunk.merged(keep?.memory ?? [])
        let extra = MemoryChunk.merged(pool.memory).compactMap { c -> MemoryChunk? in
            let k = bytes(kept, node: c.node)
            return c.bytes > k ? MemoryChunk(node: c.node, bytes: c.bytes - k) : nil
        }
        if !extra.isEmpty {
            try releaseMemory(extra)
            released.append("memory \(describe(extra))")
        }
        return released
    }

    // MARK: Helpers

    /// One OS as observe reports it (status and what it holds, read back).
    func observe(_ index: Int, name: String?) throws(EnclaveError) -> EnclaveInstance {
        let held = try queryOS(index)
        let entry = stateDirectory.readEnclaveRegistry().entries.first { $0.driver == .mckernel && $0.instance == String(index) }
        return EnclaveInstance(
            driver: .mckernel, instance: String(index), name: name, state: try status(index).rawValue, cpus: held.cpus,
            memory: MemoryChunk.merged(held.memory), image: entry?.image, args: entry?.args)
    }

    func validate(_ request: EnclaveRequest) throws(EnclaveError) {
        do {
            try EnclaveText.checkName(request.name)
            if let image = request.image { try EnclaveText.checkAbsolutePath(image, field: "image") }
            if let args = request.args { try EnclaveText.checkArgument(args, field: "args") }
        } catch { throw EnclaveError.from(error) }
        try checkCPUs(request.cpus)
        try checkMemory(request.memory)
    }

    /// What must still be reserved per node, given what the pool holds.
    func shortfall(_ wanted: [MemoryChunk], pool: [MemoryChunk]) -> [MemoryChunk] {
        wanted.compactMap { w in
            let have = bytes(pool, node: w.node)
            return have >= w.bytes ? nil : MemoryChunk(node: w.node, bytes: w.bytes - have)
        }
    }

    /// McKernel needs `hidos`; sosplan adds it in front when missing.
    static func withHidos(_ args: String) -> String {
        args.split(separator: " ").contains("hidos") ? args : ("hidos " + args).trimmingASCIIWhitespace()
    }
}
