import FoundationEssentials
import Glibc
import SosplanCore

/// Linux CPU and memory-block hotplug through sysfs under a root:
/// `cpuN/online` (`0`/`1`) and `memoryN/state` (`offline`/`online`), with the
/// block size from `block_size_bytes` in hex (what the Pisces tools' petlib
/// writes: pis `bin/cpurm`, `bin/memrm`). Files
/// are opened for writing without O_CREAT: a missing attribute (x86 CPU 0
/// has no `online`) is a CPU that cannot be taken from Linux.
public struct LinuxHotplug: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    private var cpuDir: String { host("/sys/devices/system/cpu") }
    private var memoryDir: String { host("/sys/devices/system/memory") }

    func host(_ path: String) -> String { EnclaveToolConfiguration(root: root).hostPath(path) }

    /// Present CPUs: `cpu/present`, else the `cpuN` directories.
    public func presentCPUs() -> CPUSet {
        if let text = readAttribute(cpuDir + "/present"), let set = try? CPUSet(lenientList: text) { return set }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cpuDir)) ?? []
        return CPUSet(names.compactMap { $0.hasPrefix("cpu") ? Int($0.dropFirst(3)) : nil })
    }

    /// Whether Linux runs `cpu`; a present CPU without an `online` file is
    /// always online (it cannot be hot-unplugged).
    public func isCPUOnline(_ cpu: Int) -> Bool {
        guard let text = readAttribute("\(cpuDir)/cpu\(cpu)/online") else { return true }
        return text.trimmingASCIIWhitespace() != "0"
    }

    /// Whether `cpu` has an `online` file, i.e. Linux can hot-unplug it.
    public func canOfflineCPU(_ cpu: Int) -> Bool {
        FileManager.default.fileExists(atPath: "\(cpuDir)/cpu\(cpu)/online")
    }

    /// Refuses CPUs Linux does not have (offline) or cannot give (no hotplug).
    public func checkAvailable(_ cpus: CPUSet) throws(EnclaveError) {
        for cpu in cpus where !isCPUOnline(cpu) {
            throw EnclaveError(.busy, "CPU \(cpu) is offline: Linux does not have it to give (another owner?)")
        }
        for cpu in cpus where !canOfflineCPU(cpu) {
            throw EnclaveError(.busy, "CPU \(cpu) cannot be taken offline (no hotplug control)")
        }
    }

    public func onlineCPUs() -> CPUSet { CPUSet(presentCPUs().filter { isCPUOnline($0) }) }

    /// Writes `cpuN/online`; succeeds without writing when already in that
    /// state. Returns true when it wrote.
    @discardableResult
    public func setCPU(_ cpu: Int, online: Bool) throws(EnclaveError) -> Bool {
        if isCPUOnline(cpu) == online { return false }
        try writeAttribute("\(cpuDir)/cpu\(cpu)/online", online ? "1" : "0", what: "CPU \(cpu)")
        guard isCPUOnline(cpu) == online else {
            throw EnclaveError(.inconsistent, "CPU \(cpu) is still \(online ? "offline" : "online") after writing its online file")
        }
        return true
    }

    /// The NUMA node of each CPU (`node/nodeK/cpulist`).
    public func cpuNodes() -> [Int: Int] {
        let nodeDir = host("/sys/devices/system/node")
        var nodes: [Int: Int] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: nodeDir)) ?? [] where name.hasPrefix("node") {
            guard let node = Int(name.dropFirst(4)), let text = readAttribute("\(nodeDir)/\(name)/cpulist"),
                let cpus = try? CPUSet(lenientList: text)
            else { continue }
            for cpu in cpus { nodes[cpu] = node }
        }
        return nodes
    }

    /// `block_size_bytes` (hex), nil when the kernel has no memory hotplug.
    public func memoryBlockSize() -> UInt64? {
        readAttribute(memoryDir + "/block_size_bytes").flatMap { UInt64($0.trimmingASCIIWhitespace(), radix: 16) }
    }

    /// One `memoryN` directory.
    public struct MemoryBlock: Sendable, Hashable {
        public var id: Int
        public var node: Int
        public var online: Bool
        /// `removable` (kernels before 5.x; absent later means "try").
        public var removable: Bool
    }

    public func memoryBlocks() -> [MemoryBlock] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: memoryDir)) ?? []
        var blocks: [MemoryBlock] = []
        for name in names where name.hasPrefix("memory") {
            guard let id = Int(name.dropFirst("memory".count)) else { continue }
            let dir = "\(memoryDir)/\(name)"
            guard let state = readAttribute(dir + "/state")?.trimmingASCIIWhitespace() else { continue }
            blocks.append(
                MemoryBlock(
                    id: id, node: blockNode(id: id, dir: dir), online: state == "online",
                    removable: readAttribute(dir + "/removable")?.trimmingASCIIWhitespace() != "0"))
        }
        return blocks.sorted { $0.id < $1.id }
    }

    /// The node from `memoryN/nodeK`, a flattened `memoryN.node` file holding
    /// `nodeK` (as in sosplan's captured fixtures), else node 0.
    private func blockNode(id: Int, dir: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        for e in entries where e.hasPrefix("node") {
            if let n = Int(e.dropFirst(4)) { return n }
        }
        if let text = readAttribute("\(memoryDir)/memory\(id).node")?.trimmingASCIIWhitespace(), text.hasPrefix("node"),
            let n = Int(text.dropFirst(4))
        {
            return n
        }
        return 0
    }

    public func isMemoryBlockOnline(_ id: Int) -> Bool? {
        readAttribute("\(memoryDir)/memory\(id)/state").map { $0.trimmingASCIIWhitespace() == "online" }
    }

    /// Writes `memoryN/state`; succeeds without writing when already there.
    /// Returns true when it wrote.
    @discardableResult
    public func setMemoryBlock(_ id: Int, online: Bool) throws(EnclaveError) -> Bool {
        guard let current = isMemoryBlockOnline(id) else {
            throw EnclaveError(.notFound, "memory block \(id) has no state file")
        }
        if current == online { return false }
        try writeAttribute("\(memoryDir)/memory\(id)/state", online ? "online" : "offline", what: "memory block \(id)")
        guard isMemoryBlockOnline(id) == online else {
            throw EnclaveError(.inconsistent, "memory block \(id) did not go \(online ? "online" : "offline")")
        }
        return true
    }

    func readAttribute(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// open(O_WRONLY|O_TRUNC) + write, as `echo 0 > …` does; errno is kept.
    func writeAttribute(_ path: String, _ value: String, what: String) throws(EnclaveError) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            throw EnclaveError(Self.hotplugKind(e), "cannot change \(what): \(SystemError(call: "open", path: path, errno: e))")
        }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            let e = errno
            throw EnclaveError(Self.hotplugKind(e), "cannot change \(what): \(SystemError(call: "write", path: path, errno: e))")
        }
    }

    /// A missing attribute means the object cannot be hot-unplugged: `busy`
    /// (it stays with Linux) rather than "no such enclave".
    static func hotplugKind(_ e: Int32) -> EnclaveError.Kind {
        e == ENOENT ? .busy : EnclaveError.kind(errno: e)
    }
}
