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
