import Foundation
import SosplanCore

/// The Pisces module and the petlib hotplug helpers the user tools call
/// (drouyang/pisces @f0cfeeb `src/enclave.c`, `src/enclave_ctrl.c`,
/// `src/main.c`; the 2018 user tools of briankoco/hobbes-venv @0950458
/// `guest-initramfs/opt/pisces/linux_usr/`, as run: research
/// cokernels-upstream.md §7). The kernel never gives CPUs or memory back to
/// Linux: only the tools do.
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
            $0.kittenCPUs = [cpu]
            $0.memory = [range]
        }
    }

    /// Every ctrl command needs a RUNNING enclave ("Attempted Ctrl IOCTL on
    /// non-running enclave", `enclave_ctrl.c`); nothing is recorded then.
    func ctrl(_ id: Int, _ action: String) throws(SimKernelError) -> PiscesEnclaveState {
        guard let e = enclave(id) else { throw fail(ENOENT, "no enclave \(id)") }
        guard e.phase == .running else { throw fail(EINVAL, "Attempted Ctrl IOCTL on non-running enclave") }
        return e
    }

    /// ENCLAVE_CMD_ADD_CPU: a CPU already in the mask is refused
    /// (`src/enclave.c:711-724`); otherwise it is set in the mask before
    /// Kitten answers (`enclave_ctrl.c:252-264`) and stays set when Kitten
    /// refuses it (the "remove CPU from enclave" undo at `:168-172` is not
    /// done). Kitten gives an accepted CPU the next logical id.
    func addCPU(_ id: Int, _ cpu: Int) throws(SimKernelError) {
        let e = try ctrl(id, "add_cpu")
        guard !e.cpus.contains(cpu) else { throw fail(EINVAL, "CPU \(cpu) is already present in enclave \(id)") }
        guard !enclaves.contains(where: { $0.id != id && $0.cpus.contains(cpu) }) else {
            throw fail(EBUSY, "CPU \(cpu) is in another enclave")
        }
        update(id) { $0.cpus = ($0.cpus + [cpu]).sorted() }
        try ctx.injected("add_cpu")
        update(id) { $0.kittenCPUs.append(cpu) }
    }

    /// ENCLAVE_CMD_ADD_MEM: the range is recorded before Kitten answers and
    /// kept when it refuses (`enclave_ctrl.c:300-320`, `:118`).
    func addMemory(_ id: Int, _ range: PiscesFormat.MemoryRange) throws(SimKernelError) {
        _ = try ctrl(id, "add_mem")
        update(id) { $0.memory.append(range) }
        try ctx.injected("add_mem")
    }

    /// ENCLAVE_CMD_SHUTDOWN: Kitten stops; the enclave is not freed.
    func shutdown(_ id: Int) throws(SimKernelError) {
        _ = try ctrl(id, "shutdown")
        try ctx.injected("shutdown")
        update(id) { $0.phase = .dead }
    }

    /// PISCES_FREE_ENCLAVE: forgets the enclave whatever its state
    /// (`src/main.c:129-146` checks none); its CPUs and memory stay offline,
    /// and its jobs end with it.
    func free(_ id: Int) throws(SimKernelError) {
        try ctx.injected("free")
        guard enclave(id) != nil else { throw fail(ENOENT, "no enclave \(id)") }
        enclaves = enclaves.filter { $0.id != id }
    }

    // MARK: petlib (the Linux side, done by the tools)

    func blockRange(_ first: Int, count: Int) -> PiscesFormat.MemoryRange {
        let bs = ctx.state.blockSize
        return PiscesFormat.MemoryRange(start: UInt64(first) * bs, end: UInt64(first + count) * bs)
    }

    /// `pet_offline_block`: refuses a block that is not online ("Could not
    /// offline memory block"; cokernels-upstream.md §7.2).
    func offlineBlock(_ id: Int) throws(SimKernelError) {
        guard ctx.isBlockOnline(id) == true else { throw fail(EINVAL, "memory block \(id) is not online") }
        try ctx.setBlock(id, online: false)
    }

    /// `pet_offline_cpu`: refuses a CPU that is not online ("Could not
    /// offline CPU"; cokernels-upstream.md §7.2).
    func offlineCPU(_ cpu: Int) throws(SimKernelError) {
        guard ctx.isCPUPresent(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not present") }
        guard ctx.isCPUOnline(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not online") }
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
