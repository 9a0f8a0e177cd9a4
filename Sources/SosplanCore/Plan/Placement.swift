/// The full desired assignment of CPUs and memory, also when nothing
/// changes. Maps are keyed by layout name, in layout order.
public struct Placement: Codable, Sendable, Hashable {
    public var host: HostPlacement
    public var shared: SharedPlacement
    public var services: [NamedPlacement<ServicePlacement>]
    public var enclaves: [NamedPlacement<EnclavePlacement>]
    /// Hugepage pools per size and node after the plan.
    public var hugepages: [HugepagePlacement]

    public init(
        host: HostPlacement, shared: SharedPlacement, services: [NamedPlacement<ServicePlacement>] = [],
        enclaves: [NamedPlacement<EnclavePlacement>] = [], hugepages: [HugepagePlacement] = []
    ) {
        self.host = host
        self.shared = shared
        self.services = services
        self.enclaves = enclaves
        self.hugepages = hugepages
    }

    public func service(_ name: String) -> ServicePlacement? { services.first { $0.name == name }?.value }
    public func enclave(_ name: String) -> EnclavePlacement? { enclaves.first { $0.name == name }?.value }

    enum CodingKeys: String, CodingKey { case host, shared, services, enclaves, hugepages }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decode(HostPlacement.self, forKey: .host)
        shared = try c.decode(SharedPlacement.self, forKey: .shared)
        services = try NamedPlacement.decodeObject(c, .services)
        enclaves = try NamedPlacement.decodeObject(c, .enclaves)
        hugepages = try c.decodeIfPresent([HugepagePlacement].self, forKey: .hugepages) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(shared, forKey: .shared)
        try NamedPlacement.encodeObject(services, &c, .services)
        try NamedPlacement.encodeObject(enclaves, &c, .enclaves)
        try c.encode(hugepages, forKey: .hugepages)
    }
}

public struct NamedPlacement<Value: Codable & Sendable & Hashable>: Sendable, Hashable {
    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func encodeObject<K: CodingKey>(
        _ items: [NamedPlacement], _ c: inout KeyedEncodingContainer<K>, _ key: K
    ) throws {
        var nested = c.nestedContainer(keyedBy: Key.self, forKey: key)
        for item in items { try nested.encode(item.value, forKey: Key(stringValue: item.name)) }
    }

    static func decodeObject<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> [NamedPlacement] {
        guard c.contains(key) else { return [] }
        let nested = try c.nestedContainer(keyedBy: Key.self, forKey: key)
        // Decoders do not keep key order; names sort for a stable result.
        return try nested.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
            NamedPlacement($0.stringValue, try nested.decode(Value.self, forKey: $0))
        }
    }
}

public struct HostPlacement: Codable, Sendable, Hashable {
    public var cpus: CPUSet
    public var memoryNodes: CPUSet

    public init(cpus: CPUSet, memoryNodes: CPUSet) {
        self.cpus = cpus
        self.memoryNodes = memoryNodes
    }
}

public struct SharedPlacement: Codable, Sendable, Hashable {
    public var cpus: CPUSet
    public init(cpus: CPUSet) { self.cpus = cpus }
}

public struct ServicePlacement: Codable, Sendable, Hashable {
    public var cpus: CPUSet
    /// Empty means any node (`memory.nodes: any`).
    public var memoryNodes: CPUSet
    /// True when the service runs on the shared pool.
    public var shared: Bool
    /// The devices the service is placed near (`near:`); nil when it names none.
    public var near: [NearPlacement]?
    /// The memory tier its memory nodes were chosen from (`memory.tier`).
    public var memoryTier: MemoryTier?
    /// The NUMA policy of the processes sosplan starts (`memory.policy`:
    /// systemd's NUMAPolicy=), and its nodes (NUMAMask=).
    public var memoryPolicy: MemoryPolicy?
    public var policyNodes: CPUSet?

    public init(
        cpus: CPUSet, memoryNodes: CPUSet, shared: Bool = false, near: [NearPlacement]? = nil, memoryTier: MemoryTier? = nil,
        memoryPolicy: MemoryPolicy? = nil, policyNodes: CPUSet? = nil
    ) {
        self.cpus = cpus
        self.memoryNodes = memoryNodes
        self.shared = shared
        self.near = near
        self.memoryTier = memoryTier
        self.memoryPolicy = memoryPolicy
        self.policyNodes = policyNodes
    }
}

public struct EnclavePlacement: Codable, Sendable, Hashable {
    public var cpus: CPUSet
    public var memory: [MemoryChunk]
    /// The devices the enclave is placed near (`near:`); nil when it names none.
    public var near: [NearPlacement]?

    public init(cpus: CPUSet, memory: [MemoryChunk], near: [NearPlacement]? = nil) {
        self.cpus = cpus
        self.memory = memory
        self.near = near
    }
}

public struct HugepagePlacement: Codable, Sendable, Hashable {
    public var sizeBytes: UInt64
    public var node: Int
    public var count: Int

    public init(sizeBytes: UInt64, node: Int, count: Int) {
        self.sizeBytes = sizeBytes
        self.node = node
        self.count = count
    }
}
