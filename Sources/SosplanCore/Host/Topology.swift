/// The host's CPUs and NUMA nodes as the kernel shows them.
public struct Topology: Codable, Sendable, Hashable {
    /// Every present CPU, online or not, by ascending id.
    public var cpus: [CPUInfo]
    /// NUMA nodes by ascending id (one node 0 holding every CPU when the
    /// kernel has no NUMA information).
    public var nodes: [NUMANode]
    /// `block_size_bytes` of memory hotplug, when the kernel has it.
    public var memoryBlockSizeBytes: UInt64?
    /// `isolcpus=` / `/sys/devices/system/cpu/isolated`.
    public var isolatedCPUs: CPUSet
    /// `nohz_full=` / `/sys/devices/system/cpu/nohz_full`.
    public var nohzFullCPUs: CPUSet
    /// PCI devices services can be placed near, by address; nil when the
    /// host has none (or they were not read), so hosts without PCI devices
    /// keep the snapshot they had.
    public var devices: [PCIDevice]?

    public init(
        cpus: [CPUInfo], nodes: [NUMANode], memoryBlockSizeBytes: UInt64? = nil,
        isolatedCPUs: CPUSet = CPUSet(), nohzFullCPUs: CPUSet = CPUSet(), devices: [PCIDevice]? = nil
    ) {
        self.cpus = cpus
        self.nodes = nodes
        self.memoryBlockSizeBytes = memoryBlockSizeBytes
        self.isolatedCPUs = isolatedCPUs
        self.nohzFullCPUs = nohzFullCPUs
        self.devices = devices
    }

    public var presentCPUs: CPUSet { CPUSet(cpus.map(\.id)) }
    public var onlineCPUs: CPUSet { CPUSet(cpus.filter(\.online).map(\.id)) }
    public var offlineCPUs: CPUSet { CPUSet(cpus.filter { !$0.online }.map(\.id)) }

    public func cpu(_ id: Int) -> CPUInfo? {
        // cpus is sorted by id and usually dense: try the direct index first.
        if id >= 0, id < cpus.count, cpus[id].id == id { return cpus[id] }
        return cpus.first { $0.id == id }
    }

    public func node(_ id: Int) -> NUMANode? { nodes.first { $0.id == id } }

    /// Number of distinct packages among present CPUs.
    public var packageCount: Int { Set(cpus.compactMap(\.packageKey)).count }
}

/// One logical CPU (a hardware thread).
public struct CPUInfo: Codable, Sendable, Hashable {
    public var id: Int
    public var online: Bool
    /// `physical_package_id`; nil when unknown.
    public var package: Int?
    /// `core_id`; a core is identified by (package, core).
    public var core: Int?
    /// The NUMA node; nil when unknown.
    public var node: Int?
    /// Hardware threads of the same core, including this one.
    public var threadSiblings: CPUSet
    /// Identifies the last-level cache shared by this CPU: the lowest CPU id
    /// sharing it; nil when unknown.
    public var l3: Int?
    /// Who holds an offline CPU (`enclave:<name>`, or `<driver>:<instance>`);
    /// nil for online CPUs and offline CPUs nobody claims.
    public var owner: String?
    /// The CPUs of this CPU's package, only where `package` does not name
    /// the package alone: firmware that gives several packages one
    /// `physical_package_id` (ia64 nodes), told apart by their CPU masks as
    /// hwloc does. nil everywhere else.
    public var packageCPUs: CPUSet?

    public init(
        id: Int, online: Bool = true, package: Int? = nil, core: Int? = nil, node: Int? = nil,
        threadSiblings: CPUSet? = nil, l3: Int? = nil, owner: String? = nil, packageCPUs: CPUSet? = nil
    ) {
        self.id = id
        self.online = online
        self.package = package
        self.core = core
        self.node = node
        self.threadSiblings = threadSiblings ?? CPUSet([id])
        self.l3 = l3
        self.owner = owner
        self.packageCPUs = packageCPUs
    }

    /// Identifies this CPU's package: its id, or the lowest CPU of
    /// `packageCPUs` (negative, -2 and below) where the id repeats; nil when unknown.
    public var packageKey: Int? {
        if let set = packageCPUs, let first = set.first { return -2 - first }
        return package
    }

    enum CodingKeys: String, CodingKey { case id, online, package, core, node, threadSiblings, l3, owner, packageCPUs }

    // Unknown topology is written as null (the contract's fields are always present).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(online, forKey: .online)
        try c.encode(package, forKey: .package)
        try c.encode(core, forKey: .core)
        try c.encode(node, forKey: .node)
        try c.encode(threadSiblings, forKey: .threadSiblings)
        try c.encode(l3, forKey: .l3)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encodeIfPresent(packageCPUs, forKey: .packageCPUs)
    }
}

/// One NUMA node: its CPUs, memory and hugepage pools.
public struct NUMANode: Codable, Sendable, Hashable {
    public var id: Int
    public var cpus: CPUSet
    public var memoryBytes: UInt64
    public var freeBytes: UInt64
    /// SLIT distances to every node, in node-id order.
    public var distances: [Int]
    public var hugepages: [HugepagePool]
    /// Memory hotplug blocks of this node by state, when the kernel has them.
    public var memoryBlocks: MemoryBlocks?
    /// What the node's memory is, when the host says it is not ordinary RAM.
    public var memoryKind: MemoryKind?
    /// The node's memory tier as hwloc classifies it; nil for memory hwloc
    /// does not tell apart (ordinary RAM).
    public var memoryTier: MemoryTier?
    /// The kernel's memory tier of the node (`memory_tierN` under
    /// /sys/devices/virtual/memory_tiering, Linux 6.1+): lower is faster.
    public var kernelMemoryTier: Int?
    /// For a node without CPUs: the nodes whose CPUs reach it fastest (the
    /// HMAT's initiators, `access1`, else `access0`), which hwloc attaches
    /// it to; nil when the host does not say.
    public var initiators: IDSet?

    public init(
        id: Int, cpus: CPUSet, memoryBytes: UInt64, freeBytes: UInt64, distances: [Int] = [],
        hugepages: [HugepagePool] = [], memoryBlocks: MemoryBlocks? = nil, memoryKind: MemoryKind? = nil,
        memoryTier: MemoryTier? = nil, kernelMemoryTier: Int? = nil
    ) {
        self.id = id
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.freeBytes = freeBytes
        self.distances = distances
        self.hugepages = hugepages
        self.memoryBlocks = memoryBlocks
        self.memoryKind = memoryKind
        self.memoryTier = memoryTier
        self.kernelMemoryTier = kernelMemoryTier
    }

    public func hugepages(size: UInt64) -> HugepagePool? { hugepages.first { $0.sizeBytes == size } }

    /// Whether memory (enclave memory, hugepages) may go here without the
    /// layout naming the node. A node without CPUs holds device or slow
    /// memory (GPU, HBM, CXL, persistent memory) that a program should get
    /// only when it asks for it.
    public var takesUnnamedMemory: Bool { memoryBytes > 0 && !cpus.isEmpty }
}

/// Memory that is not ordinary RAM, as the host tells it apart.
public enum MemoryKind: String, Codable, Sendable, Hashable {
    /// A GPU's memory onlined as a NUMA node (NVIDIA, `proc/driver/nvidia/gpus/*/numa_status`).
    case gpu
    /// Specific-purpose memory (HBM, CXL: EFI soft-reserved, a `hmem` DAX device given to the kernel).
    case spm
    /// Persistent memory used as RAM (a DAX device of an nvdimm region).
    case nvm
}

public struct HugepagePool: Codable, Sendable, Hashable {
    public var sizeBytes: UInt64
    public var total: Int
    public var free: Int

    public init(sizeBytes: UInt64, total: Int, free: Int) {
        self.sizeBytes = sizeBytes
        self.total = total
        self.free = free
    }
}

/// Memory block ids (`/sys/devices/system/memory/memoryN`) of a node.
public struct MemoryBlocks: Codable, Sendable, Hashable {
    public var online: IDSet
    public var offline: IDSet

    public init(online: IDSet = IDSet(), offline: IDSet = IDSet()) {
        self.online = online
        self.offline = offline
    }
}

/// A set of small non-negative ids (memory blocks, NUMA nodes) in list form.
public typealias IDSet = CPUSet
