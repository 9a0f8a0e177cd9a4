import FoundationEssentials
import Glibc
import SosplanCore

/// The single Pisces steps, each verified in /proc and Linux's hotplug state
/// afterwards (2015+ tools; see `PiscesDriver`).
extension PiscesDriver {
    /// `pisces_load`: the enclave is LOADED and holds nothing yet.
    public func load(image: String, initTask: String, commandLine: String) throws(EnclaveError) -> Int {
        do {
            try EnclaveText.checkAbsolutePath(image, field: "image")
            try EnclaveText.checkAbsolutePath(initTask, field: "init task")
            try EnclaveText.checkArgument(commandLine, field: "args")
        } catch { throw EnclaveError.from(error) }
        guard commandLine.utf8.count < 1024 else { throw EnclaveError(.invalid, "Pisces command lines hold at most 1023 bytes") }
        for file in [image, initTask] where !configuration.fileExists(file) && !FileManager.default.fileExists(atPath: file) {
            throw EnclaveError(.notFound, "\(file) does not exist")
        }
        let r = try tool("pisces_load", [image, initTask, commandLine])
        if PiscesFormat.isPre2015LoadOutput(r.stdout) {
            throw EnclaveError(
                .toolFailed,
                "these are the pre-2015 Pisces tools (pisces_load printed a device path); sosplan drives the 2015+ tools (Enclave Created: N); the enclave they loaded is left as it is",
                tool: r)
        }
        guard let id = PiscesFormat.parseLoadOutput(r.stdout), id >= 0, Int32(id) == r.exitStatus, exists(id) else {
            throw EnclaveError(.toolFailed, "Pisces could not load \(image)", tool: r)
        }
        return id
    }

    /// `pisces_launch -c CPU -n NODE -m 1`: the tool offlines the CPU and one
    /// free block of the node, launches, and onlines both again when the
    /// launch fails (pis18 `pisces.c:72-208`). Returns the boot block.
    public func launch(_ id: Int, cpu: Int, node: Int) throws(EnclaveError) -> Int {
        guard try read(id).cpus.isEmpty else { throw EnclaveError(.busy, "Pisces enclave \(id) is already running") }
        try checkCPUs(CPUSet([cpu]))
        let r = try tool("pisces_launch", ["-c", String(cpu), "-n", String(node), "-m", "1", Self.devicePath(id)])
        let now = try read(id)
        guard r.succeeded, now.cpus == [cpu], !hotplug.isCPUOnline(cpu) else {
            let back = hotplug.isCPUOnline(cpu)
            throw EnclaveError(
                .toolFailed, "Pisces could not launch enclave \(id) on CPU \(cpu)\(back ? "" : " (and CPU \(cpu) stays offline)")", tool: r)
        }
        let bs = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
        guard let block = now.memory.flatMap({ $0.blocks(blockSize: bs) }).first else {
            throw EnclaveError(.inconsistent, "pisces_launch exited 0 but enclave \(id) lists no memory", tool: r)
        }
        return block
    }

    /// `pisces_ctrl --explicit --cpu=…`, in the order given (Kitten numbers
    /// CPUs in that order). A CPU counts as added only when /proc lists it
    /// and Linux no longer runs it; a refused one stays listed while Linux
    /// runs it again, and Pisces refuses to add it a second time. Returns
    /// the CPUs that joined, in order; throws when any did not.
    @discardableResult
    public func addCPUs(_ id: Int, _ cpus: [Int]) throws(EnclaveError) -> [Int] {
        guard !cpus.isEmpty else { return [] }
        let before = try requireRunning(id)
        let listed = CPUSet(before.cpus)
        let again = CPUSet(cpus).intersection(listed)
        guard again.isEmpty else {
            let running = CPUSet(again.filter { !hotplug.isCPUOnline($0) })
            throw running.isEmpty
                ? EnclaveError(
                    .notSupportedWhileRunning,
                    "Pisces enclave \(id) still lists CPUs \(again) from a failed add; Pisces refuses to add them again: recreate the enclave")
                : EnclaveError(.invalid, "CPUs \(running) already belong to enclave \(id)")
        }
        try checkCPUs(CPUSet(cpus))
        let r = try tool("pisces_ctrl", ["--explicit", "--cpu=" + cpus.map(String.init).joined(separator: ","), Self.devicePath(id)])
        let now = CPUSet(try read(id).cpus)
        let joined = cpus.filter { now.contains($0) && !hotplug.isCPUOnline($0) }
        guard joined.count == cpus.count else {
            let failed = CPUSet(cpus.filter { !joined.contains($0) })
            let ghosts = failed.intersection(now)
            throw EnclaveError(
                .inconsistent,
                "Pisces added only \(joined.isEmpty ? "none" : CPUSet(joined).description) of CPUs \(CPUSet(cpus)) to enclave \(id)"
                    + (ghosts.isEmpty ? "" : "; \(ghosts) stay listed in /proc while Linux runs them (a recreate clears them)"),
                tool: r)
        }
        return joined
    }

    /// `pisces_ctrl --explicit --mem=…`: the tool offlines each block and
    /// onlines it again when Kitten refuses it (pis18 `pisces_ctrl.c:128-149`),
    /// while the module keeps it listed. Blocks that joined stay (Pisces
    /// cannot remove memory); throws when any did not.
    public func addMemoryBlocks(_ id: Int, _ blocks: [Int]) throws(EnclaveError) {
        guard !blocks.isEmpty else { return }
        let bs = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
        let listed = Set(try requireRunning(id).memory.flatMap { $0.blocks(blockSize: bs) })
        for b in blocks where listed.contains(b) || hotplug.isMemoryBlockOnline(b) != true {
            throw EnclaveError(.busy, "memory block \(b) is not Linux's to give (offline, or listed in enclave \(id))")
        }
        let r = try tool("pisces_ctrl", ["--explicit", "--mem=" + blocks.map(String.init).joined(separator: ","), Self.devicePath(id)])
        let held = Set(try read(id).memory.flatMap { $0.blocks(blockSize: bs) })
        let missing = blocks.filter { !held.contains($0) || hotplug.isMemoryBlockOnline($0) != false }
        guard missing.isEmpty else {
            throw EnclaveError(
                .inconsistent,
                "Pisces added only \(blocks.count - missing.count) of \(blocks.count) memory blocks to enclave \(id); blocks \(missing) stay with Linux, the rest stay with the enclave (Pisces cannot remove memory)",
                tool: r)
        }
    }

    /// Teardown (pis18 `teardown.c:86-390`): remember /proc, `pisces_shutdown`
    /// (SHUTDOWN, FREE, online what it listed; a LOADED enclave is freed
    /// too), then bring every remembered CPU and block online in case the
    /// tool died before it did.
    public func shutdownAndFree(_ id: Int) throws(EnclaveError) {
        let held = try read(id)
        let r = try tool("pisces_shutdown", [String(id)])
        let freed = !exists(id)
        guard freed else {
            throw EnclaveError(.toolFailed, "Pisces enclave \(id) was not freed", tool: r)
        }
        let bs = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
        var failures: [String] = []
        for cpu in held.cpus {
            do { try hotplug.setCPU(cpu, online: true) } catch { failures.append(error.message) }
        }
        for block in held.memory.flatMap({ $0.blocks(blockSize: bs) }) {
            do { try hotplug.setMemoryBlock(block, online: true) } catch { failures.append(error.message) }
        }
        guard failures.isEmpty else {
            throw EnclaveError(.inconsistent, "enclave \(id) is freed but Linux did not take everything back", tool: r, rollback: failures)
        }
    }

    // MARK: Helpers

    /// Ctrl commands need a RUNNING enclave; /proc shows no state, so one
    /// without CPUs (never launched) is refused before any tool runs.
    func requireRunning(_ id: Int) throws(EnclaveError) -> (cpus: [Int], memory: [PiscesFormat.MemoryRange]) {
        let held = try read(id)
        guard !held.cpus.isEmpty else {
            throw EnclaveError(.notReady, "Pisces enclave \(id) is not running (it was never launched); ctrl commands need RUNNING")
        }
        return held
    }

    /// CPUs the tools can take: present, hot-pluggable, and run by Linux
    /// (pisces_ctrl refuses a CPU that is already offline; cokernels-upstream.md §7.2).
    func checkCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { throw EnclaveError(.invalid, "no CPUs given") }
        let forbidden = cpus.intersection(capabilities.forbiddenCPUs)
        guard forbidden.isEmpty else { throw EnclaveError(.invalid, "Pisces cannot take CPU \(forbidden) (it cannot leave Linux)") }
        let missing = cpus.subtracting(hotplug.presentCPUs())
        guard missing.isEmpty else { throw EnclaveError(.invalid, "CPUs \(missing) are not present") }
        try hotplug.checkAvailable(cpus)
    }
}
