import Foundation
import SosplanCore

/// The per-OS ioctls of the IHK device driver (`ihkosctl`; ihk @3114d9e
/// `smp-driver.c`, `host_driver.c`, x86_64 `smp-arch-driver.c`).
extension IHKKernel {
    func withOS(_ index: Int, _ body: (inout IHKOSState) throws(SimKernelError) -> Void) throws(SimKernelError) {
        guard let i = device.oses.firstIndex(where: { $0.index == index }) else { throw fail(ENOENT, "OS \(index) not found") }
        var d = device
        try body(&d.oses[i])
        device = d
    }

    /// Assign and release need the OS INITIAL: -EBUSY at `smp-driver.c:1885`,
    /// `:1977`, `:2669`, `:2822`. A booted OS is not INITIAL; a shut-down one is again.
    func requireInitial(_ os: IHKOSState) throws(SimKernelError) {
        guard [.initial, .loaded, .stopped].contains(os.phase) else { throw fail(EBUSY, "OS \(os.index) is not INITIAL") }
    }

    /// `smp_ihk_os_assign_cpu` (`smp-driver.c:1872-1962`): each CPU must be
    /// AVAILABLE, i.e. reserved and unassigned (`:1944`, -EINVAL); the
    /// list's order is the LWK's CPU numbering (`:2126`).
    func assignCPUs(_ index: Int, _ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("assign cpu")
        let pool = device.poolCPUs
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            try requireInitial(os)
            for cpu in cpus where !pool.contains(cpu) { throw fail(EINVAL, "CPU \(cpu) isn't reserved") }
            os.cpus += cpus
        }
        device.poolCPUs.removeAll { cpus.contains($0) }
    }

    /// `smp_ihk_os_assign_mem` (`smp-driver.c:2658-2741`): one
    /// `__smp_ihk_os_assign_mem` per item (`IHKMemory.assign`). When an item
    /// fails (-ENOMEM), the items before it are given back by their sizes
    /// (`:2733-2736`, `_smp_ihk_os_release_mem`, which finds only a chunk of
    /// exactly that size: an item that was split stays assigned).
    func assignMemory(_ index: Int, _ items: [IHKFormat.MemoryItem]) throws(SimKernelError) {
        try ctx.injected("assign mem")
        guard let os = device.os(index) else { throw fail(ENOENT, "OS \(index) not found") }
        try requireInitial(os)
        var d = device
        var assigned = os.memory
        var failure: SimKernelError?
        var done: [IHKFormat.MemoryItem] = []
        for item in items {
            let want: UInt64?, node: Int
            switch item {
            case .bytes(let b, let n): (want, node) = (b, n)
            case .all(let n): (want, node) = (nil, n ?? 0)
            }
            guard let chunks = IHKMemory.assign(want: want, node: node, from: &d.poolMemory) else {
                ctx.log("IHK-SMP: error: not enough memory on ihk_mem_free_chunks")
                failure = fail(ENOMEM, "IHK-SMP: os_assign_mem: error: assigning memory chunk")
                break
            }
            for c in chunks { IHKMemory.insert(c, into: &assigned) }
            done.append(item)
        }
        if failure != nil {
            for case .bytes(let b, let node) in done {
                if let c = IHKMemory.takeExact(b, node: node, from: &assigned) { IHKMemory.insert(c, into: &d.poolMemory) }
            }
        }
        if let i = d.oses.firstIndex(where: { $0.index == index }) { d.oses[i].memory = assigned }
        device = d
        if let failure { throw failure }
    }

    /// `smp_ihk_os_release_cpu` (`smp-driver.c:1964-2070`): INITIAL only; each CPU must be this OS's;
    /// they become AVAILABLE again (back in the pool, still offline).
    func releaseOSCPUs(_ index: Int, _ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("release cpu")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            try requireInitial(os)
            for cpu in cpus where !os.cpus.contains(cpu) { throw fail(EINVAL, "CPU \(cpu) isn't assigned") }
            os.cpus.removeAll { cpus.contains($0) }
        }
        device.poolCPUs = (device.poolCPUs + cpus).sorted()
    }

    /// `smp_ihk_os_release_mem` (`smp-driver.c:2812-2895`): INITIAL only;
    /// per item the OS's chunk of exactly that size (`_smp_ihk_os_release_mem`,
    /// `:2743-2810`) goes back to the free list, unmerged. `all` names every
    /// chunk the OS holds (`ihkosctl.c:492-512`).
    func releaseOSMemory(_ index: Int, _ argument: String) throws(SimKernelError) {
        try ctx.injected("release mem")
        guard let os = device.os(index) else { throw fail(ENOENT, "OS \(index) not found") }
        try requireInitial(os)
        var d = device
        var held = os.memory
        defer {
            if let i = d.oses.firstIndex(where: { $0.index == index }) { d.oses[i].memory = held }
            device = d
        }
        if argument == "all" {
            for c in held { IHKMemory.insert(c, into: &d.poolMemory) }
            held = []
            return
        }
        let items: [IHKFormat.MemoryItem]
        do { items = try IHKFormat.parseMemoryArgument(argument) } catch { throw fail(EINVAL, "bad memlist \(argument)") }
        for item in items {
            guard case .bytes(let b, let node) = item, let c = IHKMemory.takeExact(b, node: node, from: &held) else {
                throw fail(EINVAL, "smp_ihk_os_release_mem: error: _smp_ihk_os_release_mem returned -22")
            }
            IHKMemory.insert(c, into: &d.poolMemory)
        }
    }

    /// `smp_ihk_os_load_file` (`smp-driver.c:959-1181`): CPUs and memory
    /// assigned first, else "OS is not ready to boot" (`:1024-1029`, -EINVAL).
    func load(_ index: Int, image: String) throws(SimKernelError) {
        try ctx.injected("load")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            try requireInitial(os)
            guard !os.cpus.isEmpty, !os.memory.isEmpty else { throw fail(EINVAL, "OS is not ready to boot") }
            // The simulated machine's files are under its root (the sandbox keeps
            // its kernel images there); a path that exists as given also does.
            guard ctx.exists(image) || FileManager.default.fileExists(atPath: image) else { throw fail(ENOENT, "cannot open \(image)") }
            os.image = image
            os.phase = .loaded
        }
    }

    /// `ihkosctl N kargs` calls the ioctl directly (`ihkosctl.c:676-691`),
    /// so the `hidos` check, which is ihklib's (`ihklib.c:2923`), does not
    /// happen; `smp_ihk_os_set_kargs` needs INITIAL (`smp-driver.c:1609-1630`).
    func setKargs(_ index: Int, _ kargs: String) throws(SimKernelError) {
        try ctx.injected("kargs")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            try requireInitial(os)
            os.kargs = kargs
        }
    }

    /// `smp_ihk_os_boot` (`smp-driver.c:494-878`): one booting or booted OS
    /// per device ("Device has already booted / is booting OS.", `:519-533`,
    /// -EBUSY); allocates the boot parameters (`:602`) and starts the LWK,
    /// which raises its status as it comes up.
    func boot(_ index: Int) throws(SimKernelError) {
        try ctx.injected("boot")
        let booted = device.bootedOS
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            if booted != nil { throw fail(EBUSY, "IHK-SMP: error: Device has already booted / is booting OS.") }
            guard os.phase == .loaded else { throw fail(EINVAL, "OS \(index) is not ready to boot") }
            os.phase = .booting
            os.polls = 0
            os.bootParams = true
            if ctx.takePanic() { os.panicOnBoot = true }
        }
        device.bootedOS = index
    }

    /// `ihkosctl N shutdown`: `__ihk_os_shutdown` first asks for the status
    /// (`host_driver.c:385`), does nothing for an OS that is not booted
    /// (`:437-441`), else runs `smp_ihk_os_shutdown`, which finishes inside
    /// the ioctl (synchronous; see `shutdownSMP`).
    func shutdown(_ index: Int) throws(SimKernelError) {
        try ctx.injected("shutdown")
        guard let os = device.os(index) else { throw fail(ENOENT, "OS \(index) not found") }
        IHKKernel.noteStatusWithoutParams(ctx, os, during: "shutdown")
        guard os.bootParams == true else {
            ctx.log("__ihk_os_shutdown: info: do nothing because os status is IHK_OS_STATUS_NOT_BOOTED")
            return
        }
        try shutdownSMP(index)
    }

    /// `smp_ihk_os_shutdown` (`smp-driver.c:1342-1459`): the OS's CPUs become
    /// AVAILABLE (`:1370-1381`), its chunks go back to the free list as they
    /// were assigned, unmerged (`:1394-1443`), its boot parameters are freed
    /// (`:1450-1453`), the OS is INITIAL and the device READY (`:1455-1456`).
    func shutdownSMP(_ index: Int) throws(SimKernelError) {
        var d = device
        guard let i = d.oses.firstIndex(where: { $0.index == index }) else { throw fail(ENOENT, "OS \(index) not found") }
        let os = d.oses[i]
        d.poolCPUs = (d.poolCPUs + os.cpus).sorted()
        for c in os.memory { IHKMemory.insert(c, into: &d.poolMemory) }
        d.oses[i].cpus = []
        d.oses[i].memory = []
        d.oses[i].phase = .stopped
        d.oses[i].bootParams = false
        d.oses[i].panicOnBoot = nil
        if d.bootedOS == index { d.bootedOS = nil }
        device = d
    }

    /// `IHK_OS_STATUS`. The x86_64 `smp_ihk_os_query_status` prints
    /// `os->param->status` before anything else (`smp-arch-driver.c:837-838`),
    /// and `os->param` is NULL until the first boot and again after a
    /// shutdown: by the code a NULL dereference in the kernel. The
    /// simulator records it as a hazard and kills the tool, so a test that
    /// does this fails. A booting OS reaches RUNNING after `bootPolls` polls
    /// (or PANIC under the `panic` fault).
    func status(_ index: Int) throws(SimKernelError) -> IHKFormat.OSStatus {
        try ctx.injected("get status")
        guard let os = device.os(index) else { throw fail(ENOENT, "OS \(index) not found") }
        guard os.bootParams == true else {
            let why = os.phase == .stopped ? "was shut down" : "never booted"
            ctx.hazard(
                "OS \(index) \(why), so os->param is NULL and smp_ihk_os_query_status dereferences it (smp-arch-driver.c:837-838)")
            return .inactive
        }
        let settings = ctx.state.settings
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            if os.phase == .booting {
                os.polls += 1
                if os.polls >= settings.bootPolls { os.phase = os.panicOnBoot == true ? .panic : .running }
            }
        }
        return IHKKernel.word(device.os(index)?.phase ?? .stopped)
    }

    /// `shutdown` and `destroy` reach the same status function through
    /// `__ihk_os_shutdown` (`host_driver.c:385`). Upstream's own unwinds
    /// destroy OSes that never booted (ihklib `ihklib.c:5195-5198`, mcreboot
    /// `error_exit`), so the simulator logs this rather than failing; only
    /// `get status` counts as the hazard.
    static func noteStatusWithoutParams(_ ctx: SimContext, _ os: IHKOSState, during action: String) {
        guard os.bootParams != true else { return }
        ctx.log("IHK: note: \(action) of OS \(os.index) queries its status without boot parameters (host_driver.c:385)")
    }

    static func word(_ phase: IHKOSState.Phase) -> IHKFormat.OSStatus {
        switch phase {
        case .initial, .loaded, .stopped: return .inactive
        case .booting: return .booting
        case .running: return .running
        case .panic: return .panic
        }
    }
}
