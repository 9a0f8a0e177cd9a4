import Foundation
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
        guard configuration.fileExists(image) || FileManager.default.fileExists(atPath: image) else {
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
}
