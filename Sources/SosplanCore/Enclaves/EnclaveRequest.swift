/// What to boot: one enclave with exactly these CPUs and memory (the
/// planner has placed them). Drivers validate it before any tool runs.
public struct EnclaveRequest: Sendable, Hashable {
    /// The layout name (a DNS label); the driver records it in its registry.
    public var name: String
    public var cpus: CPUSet
    /// Memory per NUMA node; several chunks on one node add up.
    public var memory: [MemoryChunk]
    /// Kernel image (absolute path); nil means the driver's default.
    public var image: String?
    /// Kernel arguments; nil means the driver's default.
    public var args: String?
    /// The group that gets read-write access to the co-kernel's device
    /// nodes (McKernel: `/dev/mcd*`, `/dev/mcos*`), so its launcher runs
    /// without root; nil leaves them root's.
    public var deviceGroup: String?

    public init(
        name: String, cpus: CPUSet, memory: [MemoryChunk], image: String? = nil, args: String? = nil,
        deviceGroup: String? = nil
    ) {
        self.name = name
        self.cpus = cpus
        self.memory = memory
        self.image = image
        self.args = args
        self.deviceGroup = deviceGroup
    }

    /// Bytes wanted per node, nodes ascending (chunks on one node merged).
    public var memoryByNode: [MemoryChunk] { MemoryChunk.merged(memory) }

    public var totalMemory: UInt64 { memory.reduce(0) { $0 + $1.bytes } }
}

extension MemoryChunk {
    /// Sums chunks per node; nodes ascending, empty nodes dropped.
    public static func merged(_ chunks: [MemoryChunk]) -> [MemoryChunk] {
        var byNode: [Int: UInt64] = [:]
        for c in chunks { byNode[c.node, default: 0] += c.bytes }
        return byNode.keys.sorted().compactMap { n in
            byNode[n].flatMap { $0 > 0 ? MemoryChunk(node: n, bytes: $0) : nil }
        }
    }
}
