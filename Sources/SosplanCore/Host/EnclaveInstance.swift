/// An enclave instance as its driver reports it.
public struct EnclaveInstance: Codable, Sendable, Hashable {
    public var driver: EnclaveDriverKind
    /// The driver's own handle: IHK OS index, Pisces enclave id, `partition` for mOS.
    public var instance: String
    /// The layout name sosplan gave it (from its state), when known.
    public var name: String?
    /// The driver's state word (RUNNING, INACTIVE, LOADED, ...).
    public var state: String
    public var cpus: CPUSet
    public var memory: [MemoryChunk]
    /// Kernel image and arguments, where the driver can read them back.
    public var image: String?
    public var args: String?
    /// The CPUs in the order they joined, where the co-kernel numbers its
    /// CPUs that way (Kitten on Pisces: a job's `--cpulist` names logical
    /// ids in join order, while /proc lists CPUs sorted); nil otherwise.
    public var cpuOrder: [Int]?

    public init(
        driver: EnclaveDriverKind, instance: String, name: String? = nil, state: String, cpus: CPUSet,
        memory: [MemoryChunk], image: String? = nil, args: String? = nil, cpuOrder: [Int]? = nil
    ) {
        self.driver = driver
        self.instance = instance
        self.name = name
        self.state = state
        self.cpus = cpus
        self.memory = memory
        self.image = image
        self.args = args
        self.cpuOrder = cpuOrder
    }

    /// `enclave:<name>` when named, else `<driver>:<instance>`.
    public var ownerLabel: String { name.map { "enclave:\($0)" } ?? "\(driver.rawValue):\(instance)" }

    public var totalMemory: UInt64 { memory.reduce(0) { $0 + $1.bytes } }
}

/// Memory on one NUMA node.
public struct MemoryChunk: Codable, Sendable, Hashable {
    public var node: Int
    public var bytes: UInt64

    public init(node: Int, bytes: UInt64) {
        self.node = node
        self.bytes = bytes
    }
}

/// Resources a co-kernel holds without an instance using them (IHK's
/// reserved-but-unassigned pool).
public struct EnclavePool: Codable, Sendable, Hashable {
    public var driver: EnclaveDriverKind
    public var cpus: CPUSet
    public var memory: [MemoryChunk]

    public init(driver: EnclaveDriverKind, cpus: CPUSet, memory: [MemoryChunk]) {
        self.driver = driver
        self.cpus = cpus
        self.memory = memory
    }
}
