import FoundationEssentials
import Glibc
import SosplanCore

/// The per-OS IHK steps (`ihkosctl`), each validated before the tool runs
/// and verified by reading back afterwards.
extension IHKDriver {
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

    /// `ihkosctl N get status`. Only for an OS in its booted window: the
    /// x86_64 driver reads the boot parameters first (ihk
    /// `smp-arch-driver.c:837-838`), which a never-booted or shut-down OS
    /// does not have. Callers decide that from the registry (`lifeState`).
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
            throw EnclaveError(.insufficientMemory, "IHK could not assign \(describe(chunks)) to OS \(index)", tool: r)
        }
        let held = try queryOSMemory(index)
        for want in MemoryChunk.merged(chunks) where bytes(held, node: want.node) < want.bytes {
            throw EnclaveError(.inconsistent, "assign mem exited 0 but OS \(index) has too little on node \(want.node)", tool: r)
        }
    }

    /// Gives a never-booted OS's CPUs and memory back to the pool
    /// (`ihkosctl N release cpu <list>`, `release mem all`), as ihklib's
    /// unwind does before it destroys one (`ihklib.c:5195-5198`): destroy
    /// does not (`host_driver.c:437-441`, `smp-driver.c:3190-3196`).
    public func releaseFromOS(_ index: Int) throws(EnclaveError) {
        let held = try queryOS(index)
        if !held.cpus.isEmpty {
            let r = try tool("ihkosctl", [String(index), "release", "cpu", held.cpus.description])
            guard r.succeeded else { throw EnclaveError(.busy, "IHK could not take CPUs \(held.cpus) back from OS \(index)", tool: r) }
        }
        if !held.memory.isEmpty {
            let r = try tool("ihkosctl", [String(index), "release", "mem", "all"])
            guard r.succeeded else { throw EnclaveError(.busy, "IHK could not take memory back from OS \(index)", tool: r) }
        }
        let left = try queryOS(index)
        guard left.cpus.isEmpty, left.memory.isEmpty else {
            throw EnclaveError(.inconsistent, "IHK OS \(index) still holds CPUs \(left.cpus) and \(describe(left.memory))")
        }
    }

    /// `load`: CPUs and memory must be assigned first ("OS is not ready to boot").
    public func load(_ index: Int, image: String) throws(EnclaveError) {
        do { try EnclaveText.checkAbsolutePath(image, field: "image") } catch { throw EnclaveError.from(error) }
        let held = try queryOS(index)
        guard !held.cpus.isEmpty, !held.memory.isEmpty else {
            throw EnclaveError(.notReady, "IHK OS \(index) is not ready to boot: assign CPUs and memory before loading")
        }
        guard configuration.fileExists(image) || FileManager.default.fileExists(atPath: image) else {
            throw EnclaveError(.notFound, "McKernel image \(image) does not exist")
        }
        let r = try tool("ihkosctl", [String(index), "load", image])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "IHK could not load \(image)", tool: r) }
    }

    /// `kargs`: the tool passes them as they are (`ihkosctl.c:676-691`;
    /// McKernel itself needs `hidos`, which `withHidos` adds).
    public func setKernelArguments(_ index: Int, _ args: String) throws(EnclaveError) {
        do { try EnclaveText.checkArgument(args, field: "args") } catch { throw EnclaveError.from(error) }
        let r = try tool("ihkosctl", [String(index), "kargs", args])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "IHK refused kernel arguments '\(args)'", tool: r) }
    }

    /// `boot`; a device boots one OS at a time (`smp-driver.c:519-533`).
    /// Once it succeeds the OS has boot parameters, so `onBooted` records
    /// that before its status is polled until RUNNING.
    public func boot(_ index: Int, onBooted: () throws(EnclaveError) -> Void = {}) throws(EnclaveError) {
        let r = try tool("ihkosctl", [String(index), "boot"])
        guard r.succeeded else {
            let others = stateDirectory.readEnclaveRegistry().entries.filter {
                $0.driver == .mckernel && $0.isUp && $0.instance != String(index)
            }
            if let other = others.first, try osInstances().contains(Int(other.instance) ?? -1) {
                throw EnclaveError(.busy, "IHK device \(device) already runs OS \(other.instance) ('\(other.name)'); it boots one OS at a time", tool: r)
            }
            throw EnclaveError(.notReady, "IHK could not boot OS \(index) (is an image loaded? another OS booted?)", tool: r)
        }
        try onBooted()
        try waitForStatus(index, [.running], timeout: configuration.timeouts.boot)
    }

    /// Polls `get status` of a booted OS until one of `targets`; PANIC and HUNGUP end the wait.
    public func waitForStatus(_ index: Int, _ targets: Set<IHKFormat.OSStatus>, timeout: Double) throws(EnclaveError) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try status(index)
        while !targets.contains(last) {
            if last == .panic || last == .hungup {
                throw EnclaveError(.toolFailed, "IHK OS \(index) is \(last.rawValue)")
            }
            guard Date() < deadline else {
                throw EnclaveError(.timeout, "IHK OS \(index) stayed \(last.rawValue) for \(timeout) s, waiting for \(targets.map(\.rawValue).sorted().joined(separator: "/"))")
            }
            usleep(UInt32(configuration.timeouts.pollInterval * 1_000_000))
            last = try status(index)
        }
    }
}
