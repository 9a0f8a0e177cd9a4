import Foundation
import SosplanCore

/// The IHK device driver's behaviour behind the ioctls (research §1.2,
/// §1.6; ihk smp-driver.c, host_driver.c). Every method either changes the
/// state completely or throws the errno the ioctl would return.
struct IHKKernel {
    let ctx: SimContext
    var device: IHKDeviceState {
        get { ctx.state.ihk ?? IHKDeviceState() }
        nonmutating set { ctx.state.ihk = newValue }
    }

    // MARK: Device (ihkconfig)

    /// IHK_DEVICE_RESERVE_CPU: each CPU present and online; the module
    /// offlines them and rolls back on failure (smp_ihk_reserve_cpu).
    func reserveCPUs(_ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("reserve cpu")
        for cpu in cpus {
            if cpu == 0 { throw fail(EINVAL, "CPU 0 cannot be reserved") }
            guard ctx.isCPUPresent(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not present") }
            guard ctx.isCPUOnline(cpu) else { throw fail(EINVAL, "CPU \(cpu) is not online") }
        }
        var done: [Int] = []
        for cpu in cpus {
            do { try ctx.setCPU(cpu, online: false) } catch {
                for c in done { try? ctx.setCPU(c, online: true) }
                throw fail(error.errno, "offlining CPU \(cpu) failed: \(error.message)")
            }
            done.append(cpu)
        }
        device.poolCPUs = (device.poolCPUs + cpus).sorted()
    }

    /// IHK_DEVICE_RESERVE_MEM: 4 MiB multiples; node 0 keeps 5% of its free
    /// memory; all or nothing.
    func reserveMemory(_ items: [IHKFormat.MemoryItem]) throws(SimKernelError) {
        try ctx.injected("reserve mem")
        var wanted: [SimChunk] = []
        for item in items {
            switch item {
            case .bytes(let b, let node):
                guard b > 0, b % (4 << 20) == 0 else { throw fail(EINVAL, "size \(b) is not a multiple of 4 MiB") }
                guard ctx.state.nodes.contains(where: { $0.id == node }) else { throw fail(EINVAL, "no NUMA node \(node)") }
                wanted.append(SimChunk(bytes: b, node: node))
            case .all(let node):
                for n in ctx.state.nodes where node == nil || n.id == node {
                    let b = reservable(node: n.id) / (4 << 20) * (4 << 20)
                    if b > 0 { wanted.append(SimChunk(bytes: b, node: n.id)) }
                }
            }
        }
        var perNode: [Int: UInt64] = [:]
        for c in wanted { perNode[c.node, default: 0] += c.bytes }
        for (node, bytes) in perNode where bytes > reservable(node: node) {
            throw fail(ENOMEM, "cannot reserve \(bytes) bytes on node \(node): \(reservable(node: node)) available")
        }
        device.poolMemory += wanted
    }

    func reservable(node: Int) -> UInt64 {
        var free = SimMemory.free(ctx, node: node)
        if node == 0 { free = free / 100 * 95 }
        if let limit = ctx.fragmentLimit(node: node) { free = min(free, limit) }
        return free
    }

    /// IHK_DEVICE_RELEASE_CPU: only reserved and unassigned CPUs; onlines them.
    func releaseCPUs(_ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("release cpu")
        for cpu in cpus where !device.poolCPUs.contains(cpu) { throw fail(EINVAL, "CPU \(cpu) isn't reserved") }
        device.poolCPUs.removeAll { cpus.contains($0) }
        for cpu in cpus { try? ctx.setCPU(cpu, online: true) }
    }

    /// IHK_DEVICE_RELEASE_MEM: chunks from the unassigned pool.
    func releaseMemory(_ items: [IHKFormat.MemoryItem]) throws(SimKernelError) {
        try ctx.injected("release mem")
        var pool = device.poolMemory
        for item in items {
            switch item {
            case .all(let node): pool.removeAll { node == nil || $0.node == node }
            case .bytes(let b, let node):
                guard IHKKernel.take(b, node: node, from: &pool) != nil else {
                    throw fail(EINVAL, "\(b)@\(node) is not in the reserved pool")
                }
            }
        }
        device.poolMemory = pool
    }

    func createOS() throws(SimKernelError) -> Int {
        try ctx.injected("create")
        var index = 0
        while device.os(index) != nil { index += 1 }
        device.oses.append(IHKOSState(index: index))
        return index
    }

    /// IHK_DEVICE_DESTROY_OS: EBUSY while /dev/mcosN is open; force-shuts
    /// the OS down and returns its resources to the reserved pool.
    func destroyOS(_ index: Int) throws(SimKernelError) {
        try ctx.injected("destroy")
        guard let os = device.os(index) else { throw fail(ENOENT, "OS \(index) not found") }
        if ctx.deviceHeld(os: index) { throw fail(EBUSY, "/dev/mcos\(index) is in use") }
        device.poolCPUs = (device.poolCPUs + os.cpus).sorted()
        device.poolMemory += os.memory
        if device.bootedOS == index { device.bootedOS = nil }
        device.oses.removeAll { $0.index == index }
    }

    // MARK: OS (ihkosctl)

    func withOS(_ index: Int, _ body: (inout IHKOSState) throws(SimKernelError) -> Void) throws(SimKernelError) {
        guard let i = device.oses.firstIndex(where: { $0.index == index }) else { throw fail(ENOENT, "OS \(index) not found") }
        var d = device
        try body(&d.oses[i])
        device = d
    }

    func assignCPUs(_ index: Int, _ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("assign cpu")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .initial else { throw fail(EBUSY, "OS \(index) is not INITIAL") }
            for cpu in cpus where !device.poolCPUs.contains(cpu) { throw fail(EINVAL, "CPU \(cpu) isn't reserved") }
            os.cpus += cpus
        }
        device.poolCPUs.removeAll { cpus.contains($0) }
    }

    func assignMemory(_ index: Int, _ items: [IHKFormat.MemoryItem]) throws(SimKernelError) {
        try ctx.injected("assign mem")
        var pool = device.poolMemory
        var taken: [SimChunk] = []
        for item in items {
            switch item {
            case .all(let node):
                taken += pool.filter { node == nil || $0.node == node }
                pool.removeAll { node == nil || $0.node == node }
            case .bytes(let b, let node):
                guard let chunks = IHKKernel.take(b, node: node, from: &pool) else {
                    throw fail(EINVAL, "\(b)@\(node) is not available in the reserved pool")
                }
                taken += chunks
            }
        }
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .initial else { throw fail(EBUSY, "OS \(index) is not INITIAL") }
            os.memory += taken
        }
        device.poolMemory = pool
    }

    func releaseOSCPUs(_ index: Int, _ cpus: [Int]) throws(SimKernelError) {
        try ctx.injected("release cpu")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .initial else { throw fail(EBUSY, "OS \(index) is not INITIAL") }
            for cpu in cpus where !os.cpus.contains(cpu) { throw fail(EINVAL, "CPU \(cpu) isn't assigned") }
            os.cpus.removeAll { cpus.contains($0) }
        }
        device.poolCPUs = (device.poolCPUs + cpus).sorted()
    }

    func releaseOSMemory(_ index: Int, _ items: [IHKFormat.MemoryItem]) throws(SimKernelError) {
        try ctx.injected("release mem")
        var freed: [SimChunk] = []
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .initial else { throw fail(EBUSY, "OS \(index) is not INITIAL") }
            for item in items {
                switch item {
                case .all(let node):
                    freed += os.memory.filter { node == nil || $0.node == node }
                    os.memory.removeAll { node == nil || $0.node == node }
                case .bytes(let b, let node):
                    guard let chunks = IHKKernel.take(b, node: node, from: &os.memory) else {
                        throw fail(EINVAL, "\(b)@\(node) is not assigned")
                    }
                    freed += chunks
                }
            }
        }
        device.poolMemory += freed
    }

    /// IHK_OS_LOAD: needs CPUs and memory assigned ("OS is not ready to boot").
    func load(_ index: Int, image: String) throws(SimKernelError) {
        try ctx.injected("load")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .initial || os.phase == .loaded else { throw fail(EBUSY, "OS \(index) is already booted") }
            guard !os.cpus.isEmpty, !os.memory.isEmpty else { throw fail(EINVAL, "OS is not ready to boot") }
            guard FileManager.default.fileExists(atPath: image) else { throw fail(ENOENT, "cannot open \(image)") }
            os.image = image
            os.phase = .loaded
        }
    }

    /// IHK_OS_SET_KARGS: ihklib refuses kargs without `hidos`.
    func setKargs(_ index: Int, _ kargs: String) throws(SimKernelError) {
        try ctx.injected("kargs")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .initial || os.phase == .loaded else { throw fail(EBUSY, "OS \(index) is already booted") }
            guard kargs.split(separator: " ").contains("hidos") else { throw fail(EINVAL, "kargs without hidos") }
            os.kargs = kargs
        }
    }

    /// IHK_OS_BOOT: a loaded OS on a device that has no booted OS.
    func boot(_ index: Int) throws(SimKernelError) {
        try ctx.injected("boot")
        let booted = device.bootedOS
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            guard os.phase == .loaded else { throw fail(EINVAL, "OS \(index) is not ready to boot") }
            if booted != nil { throw fail(EBUSY, "Device has already booted / is booting OS.") }
            os.phase = .booting
            os.polls = 0
            if ctx.takePanic() { os.panicOnBoot = true }
        }
        device.bootedOS = index
    }

    /// IHK_OS_SHUTDOWN: asynchronous; 0 when already shutting down, EINVAL
    /// when never booted.
    func shutdown(_ index: Int) throws(SimKernelError) {
        try ctx.injected("shutdown")
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            switch os.phase {
            case .initial, .loaded: throw fail(EINVAL, "OS \(index) was never booted")
            case .shuttingDown, .stopped: return
            case .booting, .running, .panic:
                os.phase = .shuttingDown
                os.polls = 0
                os.shutdownAt = Date().timeIntervalSince1970
            }
        }
    }

    /// IHK_OS_STATUS, advancing the asynchronous transitions by one poll.
    func status(_ index: Int) throws(SimKernelError) -> IHKFormat.OSStatus {
        try ctx.injected("get status")
        let settings = ctx.state.settings
        var finishedShutdown = false
        var released: IHKOSState?
        try withOS(index) { (os: inout IHKOSState) throws(SimKernelError) in
            switch os.phase {
            case .booting:
                os.polls += 1
                if os.polls >= settings.bootPolls {
                    os.phase = os.panicOnBoot == true ? .panic : .running
                }
            case .shuttingDown:
                os.polls += 1
                let late = settings.shutdownDelay.map { Date().timeIntervalSince1970 >= (os.shutdownAt ?? 0) + $0 } ?? false
                if os.polls >= settings.shutdownPolls || late {
                    os.phase = .stopped
                    finishedShutdown = true
                    released = os
                    os.cpus = []
                    os.memory = []
                }
            default: break
            }
        }
        if let os = released, finishedShutdown {
            // research §1.2: after shutdown the resources go back to IHK's pool, not to Linux.
            device.poolCPUs = (device.poolCPUs + os.cpus).sorted()
            device.poolMemory += os.memory
            if device.bootedOS == index { device.bootedOS = nil }
        }
        if device.os(index)?.phase == .panic, device.bootedOS == index { device.bootedOS = nil }
        return IHKKernel.word(device.os(index)?.phase ?? .stopped)
    }

    static func word(_ phase: IHKOSState.Phase) -> IHKFormat.OSStatus {
        switch phase {
        case .initial, .loaded, .stopped: return .inactive
        case .booting: return .booting
        case .running: return .running
        case .shuttingDown: return .shutdown
        case .panic: return .panic
        }
    }

    /// Takes `bytes` on `node` out of `pool`, splitting the last chunk; nil
    /// (pool unchanged) when the node does not have that much.
    static func take(_ bytes: UInt64, node: Int, from pool: inout [SimChunk]) -> [SimChunk]? {
        guard pool.filter({ $0.node == node }).reduce(0, { $0 + $1.bytes }) >= bytes else { return nil }
        var left = bytes
        var taken: [SimChunk] = []
        var i = 0
        while left > 0 && i < pool.count {
            if pool[i].node != node { i += 1; continue }
            let part = min(left, pool[i].bytes)
            taken.append(SimChunk(bytes: part, node: node))
            left -= part
            if part == pool[i].bytes { pool.remove(at: i) } else { pool[i].bytes -= part; i += 1 }
        }
        return taken
    }

    func fail(_ errno: Int32, _ message: String) -> SimKernelError {
        ctx.log("IHK: \(message) (\(SimErrno.name(errno)))")
        return SimKernelError(errno, message)
    }
}
