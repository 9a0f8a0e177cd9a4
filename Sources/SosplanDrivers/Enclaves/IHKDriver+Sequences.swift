import FoundationEssentials
import Glibc
import SosplanCore

/// Whole IHK sequences: boot like mcreboot (mckernel @e597be0
/// `scripts/mcreboot-smp.sh.in:267-437`: compact memory, reserve mem, then
/// cpu; create; assign cpu; assign mem; load; kargs; boot; device nodes)
/// and unwind like ihklib (`ihklib.c:5180-5204`: release the OS's CPUs and
/// memory, destroy it, release the pool); tear down like
/// `mcstop+release-smp.sh.in:58-120` (destroy, which shuts a booted OS
/// down, then release cpu and the exact memory chunks). No `shutdown`
/// and no status query outside the booted window.
extension IHKDriver {
    public func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        try validate(request)
        try checkEnvironment()
        let observed: EnclaveObservation
        do { observed = try observeEnclaves() } catch { throw EnclaveError.from(error) }
        if observed.instances.contains(where: { $0.name == request.name }) {
            throw EnclaveError(.busy, "McKernel enclave '\(request.name)' already exists")
        }
        if let live = observed.instances.first(where: { $0.name != nil }) {
            throw EnclaveError(
                .busy, "IHK device \(device) already runs OS \(live.instance) ('\(live.name ?? "")'); it boots one OS at a time")
        }
        let image = request.image ?? defaultImage
        let args = Self.withHidos(request.args ?? defaultArgs)
        let poolBefore = try queryPool()
        var rollback = RollbackStack()
        rollback.push("release what the create reserved") { _ = try release(beyond: poolBefore) }
        do {
            // 1. Reserve what the pool does not already hold: memory first, then CPUs.
            let memory = shortfall(request.memoryByNode, pool: poolBefore.memory)
            if !memory.isEmpty {
                prepareMemory()
                try reserveMemory(memory)
            }
            let cpus = request.cpus.subtracting(poolBefore.cpus)
            if !cpus.isEmpty { try reserveCPUs(cpus) }
            // 2. Create the OS and record it as not booted before anything else.
            let index = try createOS()
            var entry = EnclaveRegistryEntry(
                name: request.name, driver: .mckernel, instance: String(index), cpus: request.cpus,
                memory: request.memoryByNode, image: image, args: args, lifecycle: .created, deviceGroup: request.deviceGroup)
            rollback.push("release and destroy OS \(index)") { try destroy(instance: String(index)) }
            try record(entry)
            try assignCPUs(index, request.cpus)
            try assignMemory(index, request.memoryByNode)
            try load(index, image: image)
            try setKernelArguments(index, args)
            try boot(index) { () throws(EnclaveError) in
                entry.lifecycle = .booted
                try record(entry)
            }
            if let group = request.deviceGroup { try grantDevices(index, group: group) }
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

    /// Gives an OS's CPUs and memory back to Linux. An OS not known to have
    /// booted is first emptied (`releaseFromOS`; destroy would strand what
    /// it holds); then `destroy` (retrying EBUSY while a process holds
    /// /dev/mcosN; a booted OS is shut down by it and its resources go to
    /// the pool); then the pool's gain over before is released, CPUs and
    /// the exact chunks. Verified: every CPU the OS held is online again.
    public func destroy(instance: String) throws(EnclaveError) {
        guard let index = Int(instance), try osInstances().contains(index) else {
            throw EnclaveError(.notFound, "IHK OS \(instance) does not exist")
        }
        let entry = entry(index)
        var keep = try queryPool()
        let held = try queryOS(index)
        // Booted by sosplan, and still that OS (a booted OS's CPUs cannot change).
        let booted = entry?.isUp == true && held.cpus == entry?.cpus
        if let entry, entry.isUp, !booted {
            // Shut down or replaced outside sosplan: what sosplan reserved for it
            // went back to the pool, where it is now the enclave's to give back.
            keep.cpus.subtract(entry.cpus)
            keep.memory = Self.subtract(entry.memory, from: keep.memory)
        }
        var notes: [String] = []
        if !booted && !(held.cpus.isEmpty && held.memory.isEmpty) {
            // Not known to have booted: one sosplan created (release works,
            // unless an apply died between boot and recording it) or one it
            // did not make or that was replaced behind its back. A booted OS
            // refuses (EBUSY), and destroy then shuts it down, which returns
            // what it holds to the pool.
            do { try releaseFromOS(index) } catch {
                notes.append("OS \(index) kept its resources (it may have booted): \(error.message)")
            }
        }
        try destroyOS(index)
        if let entry {
            do { try stateDirectory.forgetEnclave(name: entry.name, driver: .mckernel) } catch {
                throw EnclaveError(.permission, "IHK OS \(index) is gone but the registry was not updated: \(error)")
            }
        }
        let left = try release(beyond: keep)
        let owned = booted || entry?.isUp != true ? held.cpus : held.cpus.union(entry!.cpus)
        let stranded = CPUSet(owned.filter { !hotplug.isCPUOnline($0) })
        guard stranded.isEmpty else {
            throw EnclaveError(
                .inconsistent,
                "IHK OS \(index) is destroyed but CPUs \(stranded) are still offline and in no pool: IHK keeps them assigned to the destroyed OS until ihk-smp is reloaded",
                rollback: notes + left)
        }
        if !left.isEmpty { throw EnclaveError(.inconsistent, "IHK OS \(index) is destroyed but memory stays reserved", rollback: left) }
    }

    /// Releases pool CPUs and memory beyond `keep` (the pool before an
    /// apply): what an interrupted create reserved.
    public func releasePool(keeping keep: EnclavePool?) throws(EnclaveError) -> [String] {
        let pool = try queryPool()
        let cpus = pool.cpus.subtracting(keep?.cpus ?? CPUSet())
        let memory = IHKChunkSelection.beyond(pool.memory, keeping: keep?.memory ?? []).release
        let left = try release(beyond: (keep?.cpus ?? CPUSet(), keep?.memory ?? []))
        guard left.isEmpty else { throw EnclaveError(.inconsistent, "the IHK pool still withholds memory", rollback: left) }
        var released: [String] = []
        if !cpus.isEmpty { released.append("CPUs \(cpus)") }
        if !memory.isEmpty { released.append("memory \(describe(memory))") }
        return released
    }

    /// Releases what the pool holds beyond `keep`: its CPUs, and chunks
    /// adding up to exactly its extra bytes per node (`IHKChunkSelection`;
    /// `all` when nothing is kept, as mcstop does). Returns what could not
    /// be released (no exact subset of chunks), as words for a report.
    @discardableResult
    func release(beyond keep: (cpus: CPUSet, memory: [MemoryChunk])) throws(EnclaveError) -> [String] {
        let pool = try queryPool()
        try releaseCPUs(pool.cpus.subtracting(keep.cpus))
        if keep.memory.isEmpty {
            if !pool.memory.isEmpty { try releaseMemory(nil) }
            return []
        }
        let (release, stuck) = IHKChunkSelection.beyond(pool.memory, keeping: keep.memory)
        try releaseMemory(release)
        return stuck.map { "no set of IHK's chunks adds up to the \($0.bytes) bytes to release on node \($0.node); they stay reserved" }
    }

    // MARK: Helpers

    func record(_ entry: EnclaveRegistryEntry) throws(EnclaveError) {
        do { try stateDirectory.recordEnclave(entry) } catch {
            throw EnclaveError(.permission, "cannot record IHK OS \(entry.instance) in the enclave registry: \(error)")
        }
    }

    /// One booted OS as observe reports it (status and what it holds, read back).
    func observe(_ index: Int, name: String?) throws(EnclaveError) -> EnclaveInstance {
        let held = try queryOS(index)
        let entry = entry(index)
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
        if let group = request.deviceGroup { _ = try Self.groupID(group) }
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

    /// `pool` less `bytes` per node (what to keep when part of the pool is an OS's).
    static func subtract(_ bytes: [MemoryChunk], from pool: [MemoryChunk]) -> [MemoryChunk] {
        let minus = Dictionary(MemoryChunk.merged(bytes).map { ($0.node, $0.bytes) }, uniquingKeysWith: +)
        return MemoryChunk.merged(pool).compactMap { c in
            let m = minus[c.node] ?? 0
            return c.bytes > m ? MemoryChunk(node: c.node, bytes: c.bytes - m) : nil
        }
    }

    /// McKernel needs `hidos`; sosplan adds it in front when missing.
    static func withHidos(_ args: String) -> String {
        args.split(separator: " ").contains("hidos") ? args : ("hidos " + args).trimmingASCIIWhitespace()
    }
}
