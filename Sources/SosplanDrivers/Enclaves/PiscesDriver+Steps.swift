import Foundation
import SosplanCore

/// The single Pisces steps, each verified in /proc afterwards and each
/// leaving no CPU or block offline without an owner when it fails.
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
        guard let id = PiscesFormat.parseLoadOutput(r.stdout), id >= 0, Int32(id) == r.exitStatus, exists(id) else {
            throw EnclaveError(.toolFailed, "Pisces could not load \(image)", tool: r)
        }
        return id
    }

    /// Offlines the boot CPU and blocks, then `pisces_launch`; on failure
    /// they are onlined again (as pis18's pisces_launch does).
    public func launch(_ id: Int, cpu: Int, blocks: [Int], node: Int) throws(EnclaveError) {
        guard let first = blocks.first, blocks == Array(first..<(first + blocks.count)) else {
            throw EnclaveError(.invalid, "the boot memory must be contiguous blocks, not \(blocks)")
        }
        guard try read(id).cpus.isEmpty else { throw EnclaveError(.busy, "Pisces enclave \(id) is already running") }
        var rollback = RollbackStack()
        do {
            try offline(cpus: [cpu], blocks: blocks, rollback: &rollback)
            let r = try tool(
                "pisces_launch", ["-c", String(cpu), "-b", String(first), "-m", String(blocks.count), "-n", String(node), Self.devicePath(id)])
            guard r.succeeded else { throw EnclaveError(.toolFailed, "Pisces could not launch enclave \(id)", tool: r) }
            guard try read(id).cpus == [cpu] else {
                throw EnclaveError(.inconsistent, "pisces_launch exited 0 but enclave \(id) does not run on CPU \(cpu)", tool: r)
            }
        } catch {
            throw rollback.fail(error)
        }
    }

    /// Offlines each CPU, adds them (`pisces_ctrl --explicit --cpu=…`) and
    /// checks /proc; a partial add is undone (removed and onlined).
    public func addCPUs(_ id: Int, _ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { return }
        let before = try requireRunning(id)
        guard cpus.isDisjoint(with: CPUSet(before.cpus)) else {
            throw EnclaveError(.invalid, "CPUs \(cpus.intersection(CPUSet(before.cpus))) already belong to enclave \(id)")
        }
        try checkCPUs(cpus)
        var rollback = RollbackStack()
        do {
            try offline(cpus: cpus.sorted, blocks: [], rollback: &rollback)
            let r = try tool("pisces_ctrl", ["--explicit", "--cpu=" + cpus.sorted.map(String.init).joined(separator: ","), Self.devicePath(id)])
            let now = CPUSet(try read(id).cpus)
            let added = cpus.intersection(now)
            if added != cpus {
                if !added.isEmpty {
                    rollback.push("remove CPUs \(added) from enclave \(id)") { try removeFromEnclave(id, added) }
                }
                throw EnclaveError(
                    .inconsistent, "Pisces added only \(added.isEmpty ? "none" : added.description) of CPUs \(cpus) to enclave \(id)", tool: r)
            }
        } catch {
            throw rollback.fail(error)
        }
    }

    /// Offlines each block, adds them (`pisces_ctrl --explicit --mem=…`) and
    /// checks /proc. Blocks that did join stay (Pisces cannot remove memory);
    /// the others are onlined again.
    public func addMemoryBlocks(_ id: Int, _ blocks: [Int]) throws(EnclaveError) {
        guard !blocks.isEmpty else { return }
        _ = try requireRunning(id)
        var rollback = RollbackStack()
        do {
            try offline(cpus: [], blocks: blocks, rollback: &rollback)
            let r = try tool("pisces_ctrl", ["--explicit", "--mem=" + blocks.map(String.init).joined(separator: ","), Self.devicePath(id)])
            let bs = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
            let held = Set(try read(id).memory.flatMap { $0.blocks(blockSize: bs) })
            let missing = blocks.filter { !held.contains($0) }
            if !missing.isEmpty {
                var keep = RollbackStack()
                for b in missing { keep.push("online memory block \(b)") { try hotplug.setMemoryBlock(b, online: true) } }
                var error = EnclaveError(
                    .inconsistent, "Pisces added only \(blocks.count - missing.count) of \(blocks.count) memory blocks to enclave \(id); blocks \(missing) were onlined again, the rest stay (Pisces cannot remove memory)",
                    tool: r)
                error.rollback = keep.unwind()
                rollback.commit()
                throw error
            }
        } catch {
            throw rollback.fail(error)
        }
    }

    /// `pisces_ctrl --remove --cpu=…`, then online the CPUs (the tool does not).
    public func removeCPUs(_ id: Int, _ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { return }
        let current = try requireRunning(id).cpus
        guard cpus.isSubset(of: CPUSet(current)) else {
            throw EnclaveError(.invalid, "CPUs \(cpus.subtracting(CPUSet(current))) are not in enclave \(id)")
        }
        if let boot = current.first, cpus.contains(boot) {
            // (infer) Kitten runs on its boot CPU; sosplan never removes it.
            throw EnclaveError(.notSupportedWhileRunning, "CPU \(boot) is enclave \(id)'s boot CPU; recreate the enclave to move it")
        }
        try removeFromEnclave(id, cpus)
    }

    func removeFromEnclave(_ id: Int, _ cpus: CPUSet) throws(EnclaveError) {
        let r = try tool("pisces_ctrl", ["--remove", "--cpu=" + cpus.sorted.map(String.init).joined(separator: ","), Self.devicePath(id)])
        let left = cpus.intersection(CPUSet(try read(id).cpus))
        for cpu in cpus.subtracting(left) { try hotplug.setCPU(cpu, online: true) }
        guard left.isEmpty else {
            throw EnclaveError(.inconsistent, "Pisces did not remove CPUs \(left) from enclave \(id)", tool: r)
        }
    }

    /// Teardown (pis18 teardown.c): remember /proc, `pisces_shutdown`
    /// (SHUTDOWN + FREE), then bring every remembered CPU and block online.
    public func shutdownAndFree(_ id: Int) throws(EnclaveError) {
        let held = try read(id)
        guard !held.cpus.isEmpty else {
            throw EnclaveError(
                .notReady, "Pisces enclave \(id) never ran: its control channel refuses SHUTDOWN and the tools cannot free it")
        }
        let r = try tool("pisces_shutdown", [String(id)])
        let freed = !exists(id)
        let bs = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
        var failures: [String] = []
        if freed {
            for cpu in held.cpus {
                do { try hotplug.setCPU(cpu, online: true) } catch { failures.append(error.message) }
            }
            for block in held.memory.flatMap({ $0.blocks(blockSize: bs) }) {
                do { try hotplug.setMemoryBlock(block, online: true) } catch { failures.append(error.message) }
            }
        }
        guard freed else {
            throw EnclaveError(.toolFailed, "Pisces enclave \(id) was not shut down and freed", tool: r)
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

    func checkCPUs(_ cpus: CPUSet) throws(EnclaveError) {
        guard !cpus.isEmpty else { throw EnclaveError(.invalid, "no CPUs given") }
        let forbidden = cpus.intersection(capabilities.forbiddenCPUs)
        guard forbidden.isEmpty else { throw EnclaveError(.invalid, "Pisces cannot take CPU \(forbidden) (it cannot leave Linux)") }
        let missing = cpus.subtracting(hotplug.presentCPUs())
        guard missing.isEmpty else { throw EnclaveError(.invalid, "CPUs \(missing) are not present") }
        // sosplan offlines a Pisces enclave's CPUs in a step of their own first
        // (cpu.offline), as the Pisces user library does: an offline CPU is
        // fine unless another Pisces enclave holds it.
        let offline = CPUSet(cpus.filter { !hotplug.isCPUOnline($0) })
        try hotplug.checkAvailable(cpus.subtracting(offline))
        if !offline.isEmpty {
            let held = (try? observeEnclaves().instances) ?? []
            for enclave in held where !enclave.cpus.isDisjoint(with: offline) {
                throw EnclaveError(
                    .busy, "CPUs \(enclave.cpus.intersection(offline)) are held by Pisces enclave \(enclave.instance)")
            }
        }
    }

    /// Takes CPUs and blocks from Linux, pushing the undo of each.
    func offline(cpus: [Int], blocks: [Int], rollback: inout RollbackStack) throws(EnclaveError) {
        for cpu in cpus {
            let wasOnline = hotplug.isCPUOnline(cpu)
            try hotplug.setCPU(cpu, online: false)
            if wasOnline { rollback.push("online CPU \(cpu)") { try hotplug.setCPU(cpu, online: true) } }
        }
        for block in blocks {
            let wasOnline = hotplug.isMemoryBlockOnline(block) == true
            try hotplug.setMemoryBlock(block, online: false)
            if wasOnline { rollback.push("online memory block \(block)") { try hotplug.setMemoryBlock(block, online: true) } }
        }
    }
}
