import Foundation
import SosplanCore

/// The IHK device driver behind the ioctls of `ihkconfig` (ihk @3114d9e:
/// `linux/driver/smp/smp-driver.c`, `linux/core/host_driver.c`). Every
/// method either changes the state completely or throws the errno the
/// ioctl would return; where upstream changes part of the state before it
/// fails, so does the method, and says so.
struct IHKKernel {
    let ctx: SimContext
    var device: IHKDeviceState {
        get { ctx.state.ihk ?? IHKDeviceState() }
        nonmutating set { ctx.state.ihk = newValue }
    }

    // MARK: CPUs (ihkconfig reserve/release cpu)

    /// `smp_ihk_reserve_cpu` (`smp-driver.c:4212-4391`): each CPU must be
    /// present and online (`:4287-4320`, -EINVAL); the module offlines them
    /// through `cpuN/online` (`:4171-4210`, `:4343`) and onlines them again
    /// when one fails (`:4362-4371`); a failed write is -1, i.e. EPERM.
    func reserveCPUs(_ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("reserve cpu")
        for cpu in cpus {
            guard ctx.isCPUPresent(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not present") }
            guard ctx.isCPUOnline(cpu) else {
                let was = device.poolCPUs.contains(cpu) ? "reserved already" : "offline"
                throw fail(EINVAL, "error: CPU \(cpu) was \(was)")
            }
        }
        var done: [Int] = []
        for cpu in cpus {
            do { try ctx.setCPU(cpu, online: false) } catch {
                for c in done { try? ctx.setCPU(c, online: true) }
                throw fail(EPERM, "_smp_ihk_write_cpu_sys_file: error writing /sys/devices/system/cpu/cpu\(cpu)/online")
            }
            done.append(cpu)
        }
        device.poolCPUs = (device.poolCPUs + cpus).sorted()
    }

    /// `smp_ihk_release_cpu` (`smp-driver.c:4393-4532`): only reserved,
    /// unassigned CPUs ("isn't reserved", `:4470`, -EINVAL); the module
    /// onlines them (`:4490`).
    func releaseCPUs(_ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("release cpu")
        for cpu in cpus where !device.poolCPUs.contains(cpu) { throw fail(EINVAL, "CPU \(cpu) isn't reserved") }
        device.poolCPUs.removeAll { cpus.contains($0) }
        for cpu in cpus { try? ctx.setCPU(cpu, online: true) }
    }

    // MARK: Memory (ihkconfig reserve/release mem)

    /// `smp_ihk_reserve_mem` (`smp-driver.c:4616-4702`): every size a
    /// multiple of 4 MiB (`:4667-4676`, -EINVAL before anything is taken),
    /// then one `__ihk_smp_reserve_mem` per item (`IHKMemory.reserve`). An
    /// item that fails stops the loop with -ENOMEM (`:4688-4697`) and the
    /// items before it stay reserved.
    func reserveMemory(_ items: [IHKFormat.MemoryItem]) throws(SimKernelError) {
        try ctx.injected("reserve mem")
        for case .bytes(let b, _) in items where b % IHKMemory.granule != 0 {
            throw fail(EINVAL, "smp_ihk_reserve_mem: error: mem_size must be in multiples of \(IHKMemory.granule) bytes")
        }
        noteMemoryPreparation()
        var d = device
        var runs = layout(d)
        defer {
            d.runs = runs
            device = d
        }
        for item in items {
            let want: UInt64?, node: Int?
            switch item {
            case .bytes(let b, let n): (want, node) = (b, n)
            case .all(let n): (want, node) = (nil, n)
            }
            for n in ctx.state.nodes.map(\.id) where node == nil || node == n {
                let available = reservable(node: n, held: d)
                guard let chunks = IHKMemory.reserve(want: want, node: n, available: available, runs: &runs) else {
                    ctx.log("IHK-SMP: error: __alloc_pages_node() failed")
                    throw fail(ENOMEM, "reserve_mem: error: reserving memory: \(want.map(String.init) ?? "all")@\(n), \(available) bytes available")
                }
                for c in chunks {
                    IHKMemory.insert(c, into: &d.poolMemory)
                    ctx.log("IHK-SMP: chunk 0x\(String(c.addr, radix: 16)) - 0x\(String(c.end, radix: 16)) (len: \(c.bytes)) @ NUMA node: \(n) is available")
                }
                // The next item sees this one's memory gone.
                d.runs = runs
                device = d
            }
            if node.map({ n in !ctx.state.nodes.contains { $0.id == n } }) == true {
                throw fail(EINVAL, "IHK-SMP: error: NUMA node \(node!) isn't online")
            }
        }
    }

    /// mcreboot drops the page cache and compacts memory before it reserves
    /// (mck `scripts/mcreboot-smp.sh.in:267-276`). The simulator sees those
    /// writes by the files' modification times: a compaction since the last
    /// reservation joins neighbouring free runs (`IHKMemory.compact`).
    func noteMemoryPreparation() {
        var d = device
        let compacted = ctx.modificationTime("/proc/sys/vm/compact_memory")
        let dropped = ctx.modificationTime("/proc/sys/vm/drop_caches")
        if let t = compacted, t != d.compactedAt {
            var runs = layout(d)
            IHKMemory.compact(&runs, held: d.poolMemory + d.oses.flatMap(\.memory) + d.strandedMemory)
            d.runs = runs
            d.compactedAt = t
            ctx.log("compact_memory: free memory compacted before this reservation")
        }
        if let t = dropped, t != d.cachesDroppedAt {
            d.cachesDroppedAt = t
            ctx.log("drop_caches: page cache dropped before this reservation")
        }
        device = d
    }

    /// The node's runs, laid out on first use (`IHKMemory.defaultRuns`).
    func layout(_ d: IHKDeviceState) -> [SimRun] {
        if let runs = d.runs { return runs }
        return ctx.state.nodes.flatMap { IHKMemory.defaultRuns(node: $0.id, freeBytes: $0.baseFree) }
    }

    /// What IHK may still take from `node`: its free memory, of which node 0
    /// keeps 5 % (`smp-driver.c:3619`), and at most what a `fragment` fault leaves.
    func reservable(node: Int, held: IHKDeviceState) -> UInt64 {
        var free = SimMemory.free(ctx, node: node)
        if node == 0 { free = free / 100 * 95 }
        if let limit = ctx.fragmentLimit(node: node) { free = min(free, limit) }
        return free
    }

    /// `smp_ihk_release_mem` (`smp-driver.c:4704-4754`): per item, one free
    /// chunk of exactly that size on that node (`__ihk_smp_release_mem`,
    /// `:3953-3984`), else -EINVAL; the items before a failing one are
    /// released. `ihkconfig 0 release mem all` queries the pool and names
    /// every chunk (`ihkconfig.c:295-317`); `all` anywhere else is a size
    /// no chunk has.
    func releaseMemory(_ argument: String) throws(SimKernelError) {
        try ctx.injected("release mem")
        var d = device
        var runs = layout(d)
        defer {
            d.runs = runs
            device = d
        }
        if argument == "all" {
            for c in d.poolMemory { IHKMemory.giveBack(c, to: &runs) }
            d.poolMemory = []
            return
        }
        let items: [IHKFormat.MemoryItem]
        do { items = try IHKFormat.parseMemoryArgument(argument) } catch { throw fail(EINVAL, "bad memlist \(argument)") }
        for item in items {
            guard case .bytes(let b, let node) = item, let chunk = IHKMemory.takeExact(b, node: node, from: &d.poolMemory) else {
                throw fail(EINVAL, "smp_ihk_release_mem: error: __ihk_smp_release_mem returned -22 (no free chunk of \(item))")
            }
            ctx.log("IHK-SMP: chunk 0x\(String(chunk.addr, radix: 16)) - 0x\(String(chunk.end, radix: 16)) (len: \(chunk.bytes)) @ NUMA node: \(node) is released")
            IHKMemory.giveBack(chunk, to: &runs)
        }
    }

    // MARK: OS instances

    /// `__ihk_device_create_os` (`host_driver.c:1607-1746`): the lowest free index.
    func createOS() throws(SimKernelError) -> Int {
        try ctx.injected("create")
        var index = 0
        while device.os(index) != nil { index += 1 }
        device.oses.append(IHKOSState(index: index))
        return index
    }

    /// `__ihk_device_destroy_os` (`host_driver.c:1750-1800`): -EBUSY while
    /// anything holds /dev/mcosN open (`:1767-1771`); then a forced
    /// shutdown, which returns a booted OS's CPUs and memory to the pool but
    /// does nothing for an OS that never booted (`:437-441`); then
    /// `smp_ihk_destroy_os` only frees the structure (`smp-driver.c:3190-3196`),
    /// so what a never-booted OS was assigned stays assigned to nothing.
    func destroyOS(_ index: Int) throws(SimKernelError) {
        try ctx.injected("destroy")
        guard let os = device.os(index) else { throw fail(ENOENT, "OS \(index) not found") }
        if ctx.deviceHeld(os: index) { throw fail(EBUSY, "__ihk_device_destroy_os: error: refcount != 0 (1)") }
        IHKKernel.noteStatusWithoutParams(ctx, os, during: "destroy")
        if os.bootParams == true {
            try shutdownSMP(index)
        } else if !os.cpus.isEmpty || !os.memory.isEmpty {
            var d = device
            d.strandedCPUs = (d.strandedCPUs + os.cpus).sorted()
            d.strandedMemory += os.memory
            device = d
            ctx.log("IHK: OS \(index) destroyed before it booted: CPUs \(CPUSet(os.cpus)) and \(os.memory.count) memory chunks stay assigned to a freed OS")
        }
        var d = device
        if d.bootedOS == index { d.bootedOS = nil }
        d.oses.removeAll { $0.index == index }
        device = d
    }

    func fail(_ errno: Int32, _ message: String) -> SimKernelError {
        ctx.log("IHK: \(message) (\(SimErrno.name(errno)))")
        return SimKernelError(errno, message)
    }
}
