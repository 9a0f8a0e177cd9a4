import FoundationEssentials
import Glibc
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

    /// `reserve cpu`: each CPU must be present, online and hot-pluggable; IHK
    /// offlines them. The tool exits with `(uint8)-errno` (ihkconfig goes
    /// through ihklib for `reserve`, `ihkconfig.c:230-262`).
    public func reserveCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        try checkCPUs(cpus)
        try hotplug.checkAvailable(cpus)
        let r = try tool("ihkconfig", [dev, "reserve", "cpu", cpus.description])
        guard r.succeeded else {
            throw EnclaveError(Self.reserveKind(r.exitStatus), "IHK could not reserve CPUs \(cpus)", tool: r)
        }
        let pool = try queryPoolCPUs()
        guard cpus.isSubset(of: pool) else {
            throw EnclaveError(.inconsistent, "reserve cpu exited 0 but the pool holds \(pool), not \(cpus)", tool: r)
        }
    }

    /// `reserve mem`: sizes in multiples of 4 MiB; fails when the node has
    /// too little free (node 0 keeps 5 %). One item becomes one or several
    /// chunks (ihk `smp-driver.c:3444-3905`). The kernel keeps the items
    /// before a failing one (`:4688-4697`), so a failure releases exactly
    /// the chunks the pool gained.
    public func reserveMemory(_ chunks: [MemoryChunk]) throws(EnclaveError) {
        try checkMemory(chunks)
        let before = try queryPoolMemory()
        let r = try tool("ihkconfig", [dev, "reserve", "mem", IHKFormat.formatMemoryArgument(chunks)])
        guard r.succeeded else {
            var failure = EnclaveError(
                Self.reserveKind(r.exitStatus) == .invalid ? .invalid : .insufficientMemory,
                "IHK could not reserve \(describe(chunks)) (too little free memory on the node)", tool: r)
            do {
                let gained = Self.gained(try queryPoolMemory(), over: before)
                if !gained.isEmpty { try releaseMemory(gained) }
            } catch { failure.rollback.append("release what the failed reservation took: \(error.message)") }
            throw failure
        }
        let after = try queryPoolMemory()
        for want in MemoryChunk.merged(chunks) where bytes(after, node: want.node) < bytes(before, node: want.node) + want.bytes {
            throw EnclaveError(.inconsistent, "reserve mem exited 0 but node \(want.node) did not gain \(want.bytes) bytes", tool: r)
        }
    }

    /// The chunks `after` lists beyond `before` (a reservation only adds
    /// chunks, never merges or splits one).
    static func gained(_ after: [MemoryChunk], over before: [MemoryChunk]) -> [MemoryChunk] {
        var left = before
        var new: [MemoryChunk] = []
        for c in after {
            if let i = left.firstIndex(of: c) { left.remove(at: i) } else { new.append(c) }
        }
        return new
    }

    /// `reserve` exits with `(uint8)-errno`: 240 EBUSY, 234 EINVAL, 244 ENOMEM, 255 EPERM.
    static func reserveKind(_ status: Int32) -> EnclaveError.Kind {
        status > 128 && status < 256 ? EnclaveError.kind(errno: 256 - status) : .toolFailed
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

    /// `release mem`: the exact chunks `query mem` printed (what mcreboot's
    /// unwind passes, `mcreboot-smp.sh.in:168-171`), or `all` when `chunks`
    /// is nil (mcstop, `mcstop+release-smp.sh.in:117`). IHK frees only a
    /// free chunk of exactly each size (`smp-driver.c:3953-3984`). Checked
    /// by reading the pool back.
    public func releaseMemory(_ chunks: [MemoryChunk]?) throws(EnclaveError) {
        if let chunks, chunks.isEmpty { return }
        let before = try queryPoolMemory()
        let arg = chunks.map { IHKFormat.formatMemoryQuery($0) } ?? "all"
        let r = try tool("ihkconfig", [dev, "release", "mem", arg])
        guard r.succeeded else { throw EnclaveError(.invalid, "IHK could not release memory \(arg)", tool: r) }
        let after = try queryPoolMemory()
        let expected = MemoryChunk.merged(before).reduce(0) { $0 + $1.bytes } - (chunks ?? before).reduce(0) { $0 + $1.bytes }
        guard after.reduce(0, { $0 + $1.bytes }) == expected else {
            throw EnclaveError(.inconsistent, "release mem exited 0 but the pool still holds \(describe(after))", tool: r)
        }
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
                usleep(UInt32(pause * 1_000_000))
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
