import Foundation
import SosplanCore

/// The IHK device steps (`ihkconfig`): the reserved pool and OS instances,
/// each validated before the tool runs and verified by reading back.
extension IHKDriver {
    // MARK: Device: reserved pool

    public func queryPool() throws(EnclaveError) -> (cpus: CPUSet, memory: [MemoryChunk]) {
        (try queryPoolCPUs(), try queryPoolMemory())
    }

    /// `ihkconfig 0 query cpu`: reserved and unassigned CPUs.
    public func queryPoolCPUs() throws(EnclaveError) -> CPUSet {
        let r = try tool("ihkconfig", [dev, "query", "cpu"])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "cannot query IHK's reserved CPUs", tool: r) }
        do { return try IHKFormat.parseCPUList(r.stdout) } catch { throw EnclaveError(.inconsistent, error.description, tool: r) }
    }

    /// `ihkconfig 0 query mem`: reserved and unassigned memory chunks.
    public func queryPoolMemory() throws(EnclaveError) -> [MemoryChunk] {
        let r = try tool("ihkconfig", [dev, "query", "mem"])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "cannot query IHK's reserved memory", tool: r) }
        do { return try IHKFormat.parseMemoryQuery(r.stdout) } catch { throw EnclaveError(.inconsistent, error.description, tool: r) }
    }

    /// `reserve cpu`: each CPU must be present, online and hot-pluggable; IHK offlines them.
    public func reserveCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        try checkCPUs(cpus)
        try hotplug.checkAvailable(cpus)
        let r = try tool("ihkconfig", [dev, "reserve", "cpu", cpus.description])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "IHK could not reserve CPUs \(cpus)", tool: r) }
        let pool = try queryPoolCPUs()
        guard cpus.isSubset(of: pool) else {
            throw EnclaveError(.inconsistent, "reserve cpu exited 0 but the pool holds \(pool), not \(cpus)", tool: r)
        }
    }

    /// `reserve mem`: sizes in multiples of 4 MiB; fails when fragmentation
    /// or the 95% rule on node 0 leaves too little.
    public func reserveMemory(_ chunks: [MemoryChunk]) throws(EnclaveError) {
        try checkMemory(chunks)
        let before = try queryPoolMemory()
        let r = try tool("ihkconfig", [dev, "reserve", "mem", IHKFormat.formatMemoryArgument(chunks)])
        guard r.succeeded else {
            throw EnclaveError(
                .insufficientMemory, "IHK could not reserve \(describe(chunks)) (fragmented or in use memory)", tool: r)
        }
        let after = try queryPoolMemory()
        for want in MemoryChunk.merged(chunks) where bytes(after, node: want.node) < bytes(before, node: want.node) + want.bytes {
            throw EnclaveError(.inconsistent, "reserve mem exited 0 but node \(want.node) did not gain \(want.bytes) bytes", tool: r)
        }
    }

    /// `release cpu`: only reserved, unassigned CPUs; IHK onlines them.
    public func releaseCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { return }
        let r = try tool("ihkconfig", [dev, "release", "cpu", cpus.description])
        guard r.succeeded else {
            throw EnclaveError(.invalid, "IHK could not release CPUs \(cpus) (not reserved, or still assigned)", tool: r)
        }
        let stillOffline = cpus.filter { !hotplug.isCPUOnline($0) }
        guard stillOffline.isEmpty else {
            throw EnclaveError(.inconsistent, "released CPUs \(CPUSet(stillOffline)) are still offline", tool: r)
        }
    }

    /// `release mem <chunks>` (or `all` when `chunks` is nil).
    public func releaseMemory(_ chunks: [MemoryChunk]?) throws(EnclaveError) {
        if let chunks, chunks.isEmpty { return }
        let arg = chunks.map { IHKFormat.formatMemoryArgument($0) } ?? "all"
        let r = try tool("ihkconfig", [dev, "release", "mem", arg])
        guard r.succeeded else { throw EnclaveError(.invalid, "IHK could not release memory \(arg)", tool: r) }
    }

    // MARK: Device: OS instances

    public func osInstances() throws(EnclaveError) -> [Int] {
        let r = try tool("ihkconfig", [dev, "get", "os_instances"])
        guard r.succeeded else {
            throw EnclaveError(r.exitStatus == 255 ? .permission : .toolFailed, "cannot list IHK OS instances", tool: r)
        }
        do { return try IHKFormat.parseOSInstances(r.stdout) } catch {
            throw EnclaveError(.inconsistent, error.description, tool: r)
        }
    }

    /// `create`: the exit status is the new index, and the tool prints
    /// "error: creating OS instance" whenever it is not 0; the index is
    /// trusted only once `get os_instances` lists it as new.
    public func createOS() throws(EnclaveError) -> Int {
        let before = Set(try osInstances())
        let r = try tool("ihkconfig", [dev, "create"])
        let after = Set(try osInstances())
        let created = after.subtracting(before)
        guard created.count == 1, let index = created.first, index == Int(r.exitStatus) else {
            throw EnclaveError(.toolFailed, "IHK could not create an OS instance", tool: r)
        }
        return index
    }

    /// `destroy`: EBUSY while a process (mcexec, ihkmond) holds /dev/mcosN;
    /// retried with backoff, then `busy`. Resources go to the reserved pool.
    public func destroyOS(_ index: Int) throws(EnclaveError) {
        var pause = configuration.timeouts.busyBackoff
        var last: ToolResult?
        for attempt in 0...max(0, configuration.timeouts.busyRetries) {
            if attempt > 0 {
                Thread.sleep(forTimeInterval: pause)
                pause *= 2
            }
            let r = try tool("ihkconfig", [dev, "destroy", String(index)])
            last = r
            if !(try osInstances().contains(index)) { return }
        }
        throw EnclaveError(
            .busy, "IHK OS \(index) stays busy: a process still holds /dev/mcos\(index) (mcexec?)", tool: last)
    }
}
