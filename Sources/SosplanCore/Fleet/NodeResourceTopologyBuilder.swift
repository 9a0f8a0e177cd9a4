/// Builds the host's `NodeResourceTopology` as the reference exporter
/// (k8stopologyawareschedwg/resource-topology-exporter
/// `pkg/resourcemonitor/resourcemonitor.go`) publishes it and as the
/// scheduler plugin (kubernetes-sigs/scheduler-plugins
/// `pkg/noderesourcetopology`) reads it: one zone of type `Node` per NUMA
/// node, with `cpu`, `memory` and `hugepages-<size>`, costs from the SLIT,
/// and the kubelet's Topology Manager settings as attributes.
///
/// What the numbers mean, per zone (the scheduler reads `available` only):
/// - `capacity`: the node's online CPUs, its memory, each hugepage pool
///   (pages × size).
/// - `allocatable`: what the kubelet can hand to pods there. CPUs: those of
///   the kubelet's slice on that node (`kubepods.slice` as sosplan confines
///   it) that the kubelet's CPU manager may give out (its
///   `GetAllocatableResources`, or the online CPUs less
///   `reservedSystemCPUs`), never an enclave's. Memory and hugepages: the
///   node's, less hugepage pools (for `memory`), enclave memory and the
///   other services' `memory.min`, on the slice's memory nodes only, and no
///   more than the kubelet's memory manager reports when it pins memory.
/// - `available`: allocatable less what running pods hold exclusively
///   there (their exclusive CPUs, their pinned memory blocks), from the
///   kubelet's `List`. Without the pod-resources API nothing is known to
///   be held, so available = allocatable.
///
/// Zone ids are dense: the scheduler indexes tables by the id in
/// `node-<id>` (and panics on ids past the zone count), so the kernel's
/// NUMA nodes are numbered 0, 1, 2... in ascending kernel-id order
/// (`48amd64-4pa2n6c-sparse`'s nodes 0,1,2,33,34,45,72,73 become
/// node-0...node-7), as the reference exporter numbers them. The order is
/// kept, so "the lowest NUMA id that fits", the kubelet's choice, is the
/// same node. Zones past the 64th are left out (the scheduler cannot use them).
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

    public var snapshot: HostSnapshot
    public var applied: Applied?
    /// The kubelet's pod-resources API; nil when it was not read.
    public var podResources: KubeletPodResources?

    public init(snapshot: HostSnapshot, applied: Applied? = nil, podResources: KubeletPodResources? = nil) {
        self.snapshot = snapshot
        self.applied = applied
        self.podResources = podResources
    }

    /// Kernel NUMA id → the zone id published (see the type's comment).
    public var zoneIDs: [Int: Int] {
        var ids: [Int: Int] = [:]
        for (i, node) in snapshot.topology.nodes.map(\.id).sorted().prefix(NodeResourceTopology.maximumZones).enumerated() {
            ids[node] = i
        }
        return ids
    }

    public func build(name: String) -> NodeResourceTopology {
        let ids = zoneIDs
        let kubelet = KubeletShare(builder: self)
        let nodes = snapshot.topology.nodes.filter { ids[$0.id] != nil }.sorted { $0.id < $1.id }
        let zones = nodes.map { node in
            let online = onlineCPUs(of: node)
            let allocatableCPUs = online.intersection(kubelet.cpus)
            let availableCPUs = allocatableCPUs.subtracting(kubelet.heldCPUs)
            let hugepageBytes = node.hugepages.reduce(UInt64(0)) { $0 + UInt64(max($1.total, 0)) * $1.sizeBytes }
            let memory = kubelet.memory(
                "memory", on: node.id, free: node.memoryBytes.minus(hugepageBytes).minus(enclaveMemory(on: node.id)))
            var resources = [
                NodeResourceTopology.Resource(
                    name: "cpu", capacity: UInt64(online.count), allocatable: UInt64(allocatableCPUs.count),
                    available: UInt64(availableCPUs.count)),
                NodeResourceTopology.Resource(
                    name: "memory", capacity: node.memoryBytes, allocatable: memory.allocatable, available: memory.available),
            ]
            for pool in node.hugepages.sorted(by: { $0.sizeBytes < $1.sizeBytes }) {
                let bytes = UInt64(max(pool.total, 0)) * pool.sizeBytes
                let name = NodeResourceTopology.hugepageResourceName(sizeBytes: pool.sizeBytes)
                let pages = kubelet.memory(name, on: node.id, free: bytes)
                resources.append(NodeResourceTopology.Resource(
                    name: name, capacity: bytes, allocatable: pages.allocatable, available: pages.available))
            }
            return NodeResourceTopology.Zone(
                name: NodeResourceTopology.zoneName(node: ids[node.id]!), costs: costs(of: node, ids: ids),
                resources: resources)
        }
        return NodeResourceTopology(name: name, zones: zones, attributes: attributes())
    }

    /// The kubelet's Topology Manager policy and scope, verbatim from its
    /// configuration (its defaults without one), and the pods' fingerprint
    /// when the pods are known.
    func attributes() -> [NodeResourceTopology.Attribute] {
        let config = snapshot.kubelet?.effectiveConfiguration ?? KubeletConfiguration()
        var out = [
            NodeResourceTopology.Attribute(name: NodeResourceTopology.policyAttribute, value: config.topologyManagerPolicy.rawValue),
            NodeResourceTopology.Attribute(name: NodeResourceTopology.scopeAttribute, value: config.topologyManagerScope.rawValue),
        ]
        if let podResources {
            let counted = podResources.pods.filter(\.holdsNUMAResources).map { (namespace: $0.namespace, name: $0.name) }
            out.append(NodeResourceTopology.Attribute(name: PodFingerprint.attribute, value: PodFingerprint(pods: counted).sign))
            out.append(NodeResourceTopology.Attribute(
                name: PodFingerprint.methodAttribute, value: PodFingerprint.methodWithExclusiveResources))
        }
        return out
    }

    /// The node's online CPUs: those the kernel places on it, and those of
    /// its CPU list (a host without NUMA information has one node 0 whose
    /// CPUs name no node).
    func onlineCPUs(of node: NUMANode) -> CPUSet {
        CPUSet(snapshot.topology.cpus.filter { $0.node == node.id }.map(\.id))
            .union(node.cpus.intersection(snapshot.topology.presentCPUs))
            .intersection(snapshot.topology.onlineCPUs)
    }

    /// Costs to every published zone in zone order, itself included, when
    /// the SLIT has one distance per node; none when it does not.
    func costs(of node: NUMANode, ids: [Int: Int]) -> [NodeResourceTopology.Cost] {
        let nodes = snapshot.topology.nodes
        guard node.distances.count == nodes.count else { return [] }
        return zip(nodes, node.distances).compactMap { other, distance in
            ids[other.id].map { (zone: $0, distance: distance) }
        }
        .sorted { $0.zone < $1.zone }
        .map { NodeResourceTopology.Cost(name: NodeResourceTopology.zoneName(node: $0.zone), value: $0.distance) }
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
}

extension UInt64 {
    /// Subtraction that stops at zero: a resource is never negative.
    func minus(_ other: UInt64) -> UInt64 { self > other ? self - other : 0 }
}
