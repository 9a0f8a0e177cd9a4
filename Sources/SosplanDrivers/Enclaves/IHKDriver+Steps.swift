import Foundation
import SosplanCore

/// The single IHK steps the sequences are made of, each validated before
/// the tool runs and verified by reading back afterwards.
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

    // MARK: OS

    public func queryOS(_ index: Int) throws(EnclaveError) -> (cpus: CPUSet, memory: [MemoryChunk]) {
        (try queryOSCPUs(index), try queryOSMemory(index))
    }

    /// `ihkosctl N query cpu`: the OS's CPUs.
    public func queryOSCPUs(_ index: Int) throws(EnclaveError) -> CPUSet {
        let r = try tool("ihkosctl", [String(index), "query", "cpu"])
        guard r.succeeded else { throw EnclaveError(.notFound, "cannot query IHK OS \(index)", tool: r) }
        do { return try IHKFormat.parseCPUList(r.stdout) } catch { throw EnclaveError(.inconsistent, error.description, tool: r) }
    }

    /// `ihkosctl N query mem`: the OS's memory.
    public func queryOSMemory(_ index: Int) throws(EnclaveError) -> [MemoryChunk] {
        let r = try tool("ihkosctl", [String(index), "query", "mem"])
        guard r.succeeded else { throw EnclaveError(.notFound, "cannot query IHK OS \(index)", tool: r) }
        do { return try IHKFormat.parseMemoryQuery(r.stdout) } catch { throw EnclaveError(.inconsistent, error.description, tool: r) }
    }

    public func status(_ index: Int) throws(EnclaveError) -> IHKFormat.OSStatus {
        let r = try tool("ihkosctl", [String(index), "get", "status"])
        guard r.succeeded else { throw EnclaveError(.notFound, "cannot read the status of IHK OS \(index)", tool: r) }
        do { return try IHKFormat.parseStatus(r.stdout) } catch { throw EnclaveError(.inconsistent, error.description, tool: r) }
    }

    /// `assign cpu`: only before boot (INITIAL); the list order is the LWK numbering.
    public func assignCPUs(_ index: Int, _ cpus: CPUSet) throws(EnclaveError) {
        try requireNotBooted(index, "assign CPUs")
        let r = try tool("ihkosctl", [String(index), "assign", "cpu", cpus.description])
        guard r.succeeded else {
            throw EnclaveError(.busy, "IHK could not assign CPUs \(cpus) to OS \(index) (not reserved, or OS not INITIAL)", tool: r)
        }
        let held = try queryOSCPUs(index)
        guard cpus.isSubset(of: held) else {
            throw EnclaveError(.inconsistent, "assign cpu exited 0 but OS \(index) holds \(held)", tool: r)
        }
    }

    /// `assign mem`: only before boot; taken from the reserved pool.
    public func assignMemory(_ index: Int, _ chunks: [MemoryChunk]) throws(EnclaveError) {
        try checkMemory(chunks)
        try requireNotBooted(index, "assign memory")
        let r = try tool("ihkosctl", [String(index), "assign", "mem", IHKFormat.formatMemoryArgument(chunks)])
        guard r.succeeded else {
            throw EnclaveError(.busy, "IHK could not assign \(describe(chunks)) to OS \(index)", tool: r)
        }
        let held = try queryOSMemory(index)
        for want in MemoryChunk.merged(chunks) where bytes(held, node: want.node) < want.bytes {
            throw EnclaveError(.inconsistent, "assign mem exited 0 but OS \(index) has too little on node \(want.node)", tool: r)
        }
    }

    /// `load`: CPUs and memory must be assigned first ("OS is not ready to boot").
    public func load(_ index: Int, image: String) throws(EnclaveError) {
        do { try EnclaveText.checkAbsolutePath(image, field: "image") } catch { throw EnclaveError.from(error) }
        let held = try queryOS(index)
        guard !held.cpus.isEmpty, !held.memory.isEmpty else {
            throw EnclaveError(.notReady, "IHK OS \(index) is not ready to boot: assign CPUs and memory before loading")
        }
        guard FileManager.default.fileExists(atPath: image) else {
            throw EnclaveError(.notFound, "McKernel image \(image) does not exist")
        }
        let r = try tool("ihkosctl", [String(index), "load", image])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "IHK could not load \(image)", tool: r) }
    }

    /// `kargs`: ihklib refuses arguments without `hidos`.
    public func setKernelArguments(_ index: Int, _ args: String) throws(EnclaveError) {
        do { try EnclaveText.checkArgument(args, field: "args") } catch { throw EnclaveError.from(error) }
        let r = try tool("ihkosctl", [String(index), "kargs", args])
        guard r.succeeded else {
            let hidos = args.split(separator: " ").contains("hidos")
            throw EnclaveError(
                hidos ? .toolFailed : .invalid,
                hidos ? "IHK refused kernel arguments '\(args)'" : "McKernel kernel arguments must contain 'hidos'", tool: r)
        }
    }

    /// `boot`, then wait for RUNNING; a device boots one OS at a time.
    public func boot(_ index: Int) throws(EnclaveError) {
        let r = try tool("ihkosctl", [String(index), "boot"])
        guard r.succeeded else {
            for other in try osInstances() where other != index {
                if [.booting, .running, .shutdown].contains(try status(other)) {
                    throw EnclaveError(.busy, "IHK device \(device) already runs OS \(other); it boots one OS at a time", tool: r)
                }
            }
            throw EnclaveError(.notReady, "IHK could not boot OS \(index) (is an image loaded?)", tool: r)
        }
        try waitForStatus(index, [.running], timeout: configuration.timeouts.boot)
    }

    /// `shutdown` (asynchronous), then wait for INACTIVE. Never-booted OSes are left alone.
    public func shutdown(_ index: Int) throws(EnclaveError) {
        if try status(index) == .inactive { return }
        let r = try tool("ihkosctl", [String(index), "shutdown"])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "IHK could not shut OS \(index) down", tool: r) }
        try waitForStatus(index, [.inactive], timeout: configuration.timeouts.shutdown)
    }

    /// Polls `get status` until one of `targets`; PANIC and HUNGUP end the wait.
    public func waitForStatus(_ index: Int, _ targets: Set<IHKFormat.OSStatus>, timeout: Double) throws(EnclaveError) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try status(index)
        while !targets.contains(last) {
            if last == .panic || last == .hungup, !targets.contains(last) {
                throw EnclaveError(.toolFailed, "IHK OS \(index) is \(last.rawValue)")
            }
            guard Date() < deadline else {
                throw EnclaveError(.timeout, "IHK OS \(index) stayed \(last.rawValue) for \(timeout) s, waiting for \(targets.map(\.rawValue).sorted().joined(separator: "/"))")
            }
            Thread.sleep(forTimeInterval: configuration.timeouts.pollInterval)
            last = try status(index)
        }
    }

    // MARK: Helpers

    var dev: String { String(device) }

    func tool(_ name: String, _ args: [String]) throws(EnclaveError) -> ToolResult { try runner.run(name, args) }

    func requireNotBooted(_ index: Int, _ what: String) throws(EnclaveError) {
        let s = try status(index)
        guard s == .inactive else {
            throw EnclaveError(
                .notSupportedWhileRunning, "IHK cannot \(what) once OS \(index) has booted (it is \(s.rawValue)); recreate it")
        }
    }

    func checkCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { throw EnclaveError(.invalid, "no CPUs given") }
        let forbidden = cpus.intersection(capabilities.forbiddenCPUs)
        guard forbidden.isEmpty else { throw EnclaveError(.invalid, "IHK cannot take CPU \(forbidden) (CPU 0 stays with Linux)") }
        let missing = cpus.subtracting(hotplug.presentCPUs())
        guard missing.isEmpty else { throw EnclaveError(.invalid, "CPUs \(missing) are not present") }
    }

    func checkMemory(_ chunks: [MemoryChunk]) throws(EnclaveError) {
        guard !chunks.isEmpty else { throw EnclaveError(.invalid, "no memory given") }
        for c in chunks where c.bytes == 0 || c.bytes % capabilities.memoryGranularity != 0 {
            throw EnclaveError(.invalid, "IHK reserves memory in multiples of 4 MiB; \(c.bytes) bytes on node \(c.node) is not")
        }
    }

    func bytes(_ chunks: [MemoryChunk], node: Int) -> UInt64 {
        chunks.filter { $0.node == node }.reduce(0) { $0 + $1.bytes }
    }

    func describe(_ chunks: [MemoryChunk]) -> String {
        MemoryChunk.merged(chunks).map { "\(ByteSize($0.bytes)) on node \($0.node)" }.joined(separator: ", ")
    }
}
