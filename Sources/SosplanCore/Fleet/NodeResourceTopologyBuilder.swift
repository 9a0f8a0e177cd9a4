/// Builds the host's `NodeResourceTopology`: one zone of type `Node` per
/// NUMA node with `cpu`, `memory` and `hugepages-<size>` resources, costs
/// from the SLIT distances and the topology policy as an attribute.
///
/// What the numbers mean, per zone:
/// - `capacity`: what the node has: its present CPUs (online or not), its
///   memory, each hugepage pool (pages × size).
/// - `allocatable`: what Linux containers can be given. Never offline CPUs,
///   CPUs and memory an enclave (or a co-kernel's reserved pool) holds, or
///   memory in hugepage pools (a resource of its own). With the applied
///   layout also not the host's CPUs when `host.confine` keeps them for
///   Linux itself, nor what the placement gives enclaves. `host.memory`
///   only bounds enclaves, so it stays allocatable.
/// - `available`: allocatable minus what the applied layout gives services:
///   the CPUs of exclusive services and the `memory.min` guarantees (split
///   evenly over a service's memory nodes). Without a layout nothing is
///   known to be given, so available = allocatable.
/// Hugepage pools are all allocatable and available: the layout gives
/// them to no service.
public struct NodeResourceTopologyBuilder {
    /// The last applied layout and the placement it was applied with.
    public struct Applied {
        public var layout: HostLayout
        public var placement: Placement

        public init(layout: HostLayout, placement: Placement) {
            self.layout = layout
            self.placement = placement
        }
    }

    /// The policy written when there is no layout: sosplan aligns nothing
    /// on its own then.
    public static let policyWithoutLayout = LayoutPolicy.Topology.none

    public var snapshot: HostSnapshot
    public var applied: Applied?

    public init(snapshot: HostSnapshot, applied: Applied? = nil) {
        self.snapshot = snapshot
        self.applied = applied
    }

    public func build(name: String) -> NodeResourceTopology {
        let policy = applied?.layout.policy.topology ?? Self.policyWithoutLayout
        let notForContainers = cpusNotForContainers()
        let givenToServices = cpusGivenToServices()
        let serviceMemory = serviceMemoryByNode()
        let zones = snapshot.topology.nodes.enumerated().map { index, node in
            let present = presentCPUs(of: node)
            let allocatableCPUs = present.subtracting(notForContainers)
            let availableCPUs = allocatableCPUs.subtracting(givenToServices)
            let hugepageBytes = node.hugepages.reduce(UInt64(0)) { $0 + UInt64(max($1.total, 0)) * $1.sizeBytes }
            let allocatableMemory = node.memoryBytes.minus(hugepageBytes).minus(enclaveMemory(on: node.id))
            var resources = [
                NodeResourceTopology.Resource(
                    name: "cpu", capacity: UInt64(present.count), allocatable: UInt64(allocatableCPUs.count),
                    available: UInt64(availableCPUs.count)),
                NodeResourceTopology.Resource(
                    name: "memory", capacity: node.memoryBytes, allocatable: allocatableMemory,
                    available: allocatableMemory.minus(serviceMemory[node.id] ?? 0)),
            ]
            for pool in node.hugepages.sorted(by: { $0.sizeBytes < $1.sizeBytes }) {
                let bytes = UInt64(max(pool.total, 0)) * pool.sizeBytes
                resources.append(NodeResourceTopology.Resource(
                    name: NodeResourceTopology.hugepageResourceName(sizeBytes: pool.sizeBytes),
                    capacity: bytes, allocatable: bytes, available: bytes))
            }
            return NodeResourceTopology.Zone(
                name: NodeResourceTopology.zoneName(node: node.id), costs: costs(of: node), resources: resources)
        }
        return NodeResourceTopology(
            name: name, topologyPolicies: [Self.deprecatedPolicyName(policy)], zones: zones,
            attributes: [NodeResourceTopology.Attribute(name: NodeResourceTopology.policyAttribute, value: policy.rawValue)])
    }

    /// The node's present CPUs: those the kernel places on it, and those of
    /// its CPU list (a host without NUMA information has one node 0 whose
    /// CPUs name no node).
    func presentCPUs(of node: NUMANode) -> CPUSet {
        CPUSet(snapshot.topology.cpus.filter { $0.node == node.id }.map(\.id))
            .union(node.cpus.intersection(snapshot.topology.presentCPUs))
    }

    /// Costs to every node in node order, itself included, when the SLIT
    /// has one distance per node; none when it does not (the kernel gave
    /// no usable table).
    func costs(of node: NUMANode) -> [NodeResourceTopology.Cost] {
        let nodes = snapshot.topology.nodes
        guard node.distances.count == nodes.count else { return [] }
        return zip(nodes, node.distances).map {
            NodeResourceTopology.Cost(name: NodeResourceTopology.zoneName(node: $0.id), value: $1)
        }
    }

    func cpusNotForContainers() -> CPUSet {
        var cpus = snapshot.topology.offlineCPUs
        for enclave in snapshot.enclaves { cpus.formUnion(enclave.cpus) }
        for pool in snapshot.enclavePools { cpus.formUnion(pool.cpus) }
        if let applied {
            if applied.layout.host.confine { cpus.formUnion(applied.placement.host.cpus) }
            for enclave in applied.placement.enclaves { cpus.formUnion(enclave.value.cpus) }
        }
        return cpus
    }

    func cpusGivenToServices() -> CPUSet {
        var cpus = CPUSet()
        for service in applied?.placement.services ?? [] where !service.value.shared { cpus.formUnion(service.value.cpus) }
        return cpus
    }

    /// Enclave memory on a node: what the host shows enclaves and reserved
    /// pools holding, or what the placement gives them if that is more
    /// (the same memory is never counted twice).
    func enclaveMemory(on node: Int) -> UInt64 {
        func sum(_ chunks: [MemoryChunk]) -> UInt64 { chunks.filter { $0.node == node }.reduce(0) { $0 + $1.bytes } }
        let observed = snapshot.enclaves.reduce(0) { $0 + sum($1.memory) } + snapshot.enclavePools.reduce(0) { $0 + sum($1.memory) }
        let placed = applied?.placement.enclaves.reduce(0) { $0 + sum($1.value.memory) } ?? 0
        return max(observed, placed)
    }

    /// `memory.min` of each Linux service split evenly over its memory nodes
    /// (every node with memory when it may use any); the remainder goes to
    /// the lowest node so the shares add up.
    func serviceMemoryByNode() -> [Int: UInt64] {
        guard let applied else { return [:] }
        let withMemory = CPUSet(snapshot.topology.nodes.filter { $0.memoryBytes > 0 }.map(\.id))
        var shares: [Int: UInt64] = [:]
        for service in applied.layout.services where service.stack == .linux {
            guard case .value(let bytes) = service.memory.min, bytes > 0,
                let placement = applied.placement.service(service.name)
            else { continue }
            let nodes = (placement.memoryNodes.isEmpty ? withMemory : placement.memoryNodes.intersection(withMemory)).sorted
            guard !nodes.isEmpty else { continue }
            let share = bytes / UInt64(nodes.count)
            for (i, node) in nodes.enumerated() {
                shares[node, default: 0] += share + (i == 0 ? bytes % UInt64(nodes.count) : 0)
            }
        }
        return shares
    }

    /// The deprecated `topologyPolicies` spelling of a policy
    /// (`TopologyManagerPolicy` constants of the v1alpha2 API).
    public static func deprecatedPolicyName(_ policy: LayoutPolicy.Topology) -> String {
        switch policy {
        case .none: return "None"
        case .bestEffort: return "BestEffort"
        case .restricted: return "Restricted"
        case .singleNUMANode: return "SingleNUMANodeContainerLevel"
        }
    }
}

extension UInt64 {
    /// Subtraction that stops at zero: a resource is never negative.
    fileprivate func minus(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
