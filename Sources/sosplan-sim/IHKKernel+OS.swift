import Foundation
import SosplanCore

/// The per-OS ioctls of the IHK device driver (ihkosctl).
extension IHKKernel {
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
            // The simulated machine's files are under its root (the sandbox keeps
            // its kernel images there); a path that exists as given also does.
            guard ctx.exists(image) || FileManager.default.fileExists(atPath: image) else { throw fail(ENOENT, "cannot open \(image)") }
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
}
