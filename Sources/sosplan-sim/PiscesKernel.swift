import Foundation
import SosplanCore

/// The Pisces module and the petlib hotplug helpers the user tools call
/// (research §2; pis:src/enclave.c, enclave_ctrl.c; pis18:pisces.c). The
/// kernel never gives CPUs or memory back to Linux: only the tools do.
struct PiscesKernel {
    let ctx: SimContext
    static let maxEnclaves = 128

    var enclaves: [PiscesEnclaveState] {
        get { ctx.state.pisces?.enclaves ?? [] }
        nonmutating set { ctx.state.pisces = PiscesState(enclaves: newValue.sorted { $0.id < $1.id }) }
    }

    func enclave(_ id: Int) -> PiscesEnclaveState? { enclaves.first { $0.id == id } }

    func update(_ id: Int, _ body: (inout PiscesEnclaveState) -> Void) {
        var all = enclaves
        if let i = all.firstIndex(where: { $0.id == id }) { body(&all[i]) }
        enclaves = all
    }

    /// `/dev/pisces-enclaveN` → N (get_pisces_id_from_path).
    static func id(fromPath path: String) -> Int? {
        guard let range = path.range(of: "pisces-enclave", options: .backwards) else { return nil }
        return Int(path[range.upperBound...])
    }

    /// PISCES_LOAD_IMAGE: copies the image; the enclave is LOADED and holds nothing.
    func load(kernel: String, initTask: String, cmdline: String) throws(SimKernelError) -> Int {
        try ctx.injected("load")
        // Files of the simulated machine live under its root (see IHK load).
        for file in [kernel, initTask] where !ctx.exists(file) && !FileManager.default.isReadableFile(atPath: file) {
            throw fail(ENOENT, "cannot read \(file)")
        }
        guard cmdline.utf8.count < 1024 else { throw fail(EINVAL, "command line longer than 1023 bytes") }
        guard let id = (0..<Self.maxEnclaves).first(where: { enclave($0) == nil }) else {
            throw fail(ENOSPC, "MAX_ENCLAVES (128) reached")
        }
        enclaves = enclaves + [PiscesEnclaveState(id: id, kernel: kernel, initTask: initTask, cmdline: cmdline)]
        return id
    }

    /// PISCES_ENCLAVE_LAUNCH with a boot CPU and a contiguous memory range.
    func launch(_ id: Int, cpu: Int, range: PiscesFormat.MemoryRange) throws(SimKernelError) {
        try ctx.injected("launch")
        guard let e = enclave(id) else { throw fail(ENOENT, "no enclave \(id)") }
        guard e.phase == .loaded else { throw fail(EINVAL, "enclave \(id) is not LOADED") }
        guard !ctx.isCPUOnline(cpu) else { throw fail(EINVAL, "Invalid CPU (\(cpu)) specified as the boot CPU") }
        update(id) {
            $0.phase = .running
            $0.cpus = [cpu]
            $0.memory = [range]
        }
    }

    /// Every ctrl command needs a RUNNING enclave (enclave_ctrl.c).
    func ctrl(_ id: Int, _ action: String) throws(SimKernelError) -> PiscesEnclaveState {
        guard let e = enclave(id) else { throw fail(ENOENT, "no enclave \(id)") }
        guard e.phase == .running else { throw fail(EINVAL, "Attempted Ctrl IOCTL on non-running enclave") }
        try ctx.injected(action)
        return e
    }

    func addCPU(_ id: Int, _ cpu: Int) throws(SimKernelError) {
        _ = try ctrl(id, "add_cpu")
        guard ctx.isCPUPresent(cpu), !ctx.isCPUOnline(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not offline") }
        guard !enclaves.contains(where: { $0.cpus.contains(cpu) }) else { throw fail(EBUSY, "CPU \(cpu) is in an enclave") }
        update(id) { $0.cpus.append(cpu) }
    }

    func removeCPU(_ id: Int, _ cpu: Int) throws(SimKernelError) {
        let e = try ctrl(id, "remove_cpu")
        guard e.cpus.contains(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not in enclave \(id)") }
        update(id) { $0.cpus.removeAll { $0 == cpu } }
    }

    func addMemory(_ id: Int, _ range: PiscesFormat.MemoryRange) throws(SimKernelError) {
        _ = try ctrl(id, "add_mem")
        for block in range.blocks(blockSize: ctx.state.blockSize) where ctx.isBlockOnline(block) != false {
            throw fail(EINVAL, "memory block \(block) is not offline")
        }
        update(id) { $0.memory.append(range) }
    }

    /// REMOVE_MEM: "Removing memory is not supported".
    func removeMemory(_ id: Int) throws(SimKernelError) {
        _ = try ctrl(id, "remove_mem")
        throw fail(EINVAL, "Removing memory is not supported")
    }

    func shutdown(_ id: Int) throws(SimKernelError) {
        _ = try ctrl(id, "shutdown")
        update(id) { $0.phase = .dead }
    }

    /// PISCES_FREE_ENCLAVE: forgets the enclave. Its CPUs and memory stay offline.
    func free(_ id: Int) throws(SimKernelError) {
        try ctx.injected("free")
        guard let e = enclave(id) else { throw fail(ENOENT, "no enclave \(id)") }
        guard e.phase != .running else { throw fail(EBUSY, "enclave \(id) is running") }
        enclaves = enclaves.filter { $0.id != id }
    }

    // MARK: petlib (the Linux side, done by the tools)

    func blockRange(_ first: Int, count: Int) -> PiscesFormat.MemoryRange {
        let bs = ctx.state.blockSize
        return PiscesFormat.MemoryRange(start: UInt64(first) * bs, end: UInt64(first + count) * bs)
    }

    /// pet_offline_block: an offline block is accepted as is.
    func offlineBlock(_ id: Int) throws(SimKernelError) {
        guard ctx.isBlockOnline(id) != nil else { throw fail(EINVAL, "no memory block \(id)") }
        guard !enclaves.contains(where: { e in e.memory.contains { $0.blocks(blockSize: ctx.state.blockSize).contains(id) } })
        else { throw fail(EBUSY, "memory block \(id) belongs to an enclave") }
        try ctx.setBlock(id, online: false)
    }

    /// pet_offline_cpu: an offline CPU is accepted as is.
    func offlineCPU(_ cpu: Int) throws(SimKernelError) {
        guard ctx.isCPUPresent(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not present") }
        try ctx.setCPU(cpu, online: false)
    }

    /// Removable online blocks of `node` (-1: any), lowest first.
    func freeBlocks(node: Int) -> [Int] {
        ctx.memoryBlockIDs.filter {
            ctx.isBlockOnline($0) == true && ctx.isBlockRemovable($0) && (node < 0 || ctx.blockNode($0) == node)
        }
    }

    func fail(_ errno: Int32, _ message: String) -> SimKernelError {
        ctx.log("pisces: \(message) (\(SimErrno.name(errno)))")
        return SimKernelError(errno, message)
    }
}
