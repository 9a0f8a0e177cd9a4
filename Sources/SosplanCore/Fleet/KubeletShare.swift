/// What the kubelet can hand to pods on this host, from three sources in
/// turn: what sosplan gives the kubelet's slice (the applied placement of
/// the layout's `kubepods.slice` service, or the slice as systemd has it),
/// what the kubelet itself says it may give (its pod-resources
/// `GetAllocatableResources`, else its configuration's
/// `reservedSystemCPUs`), and what its pods hold (`List`).
struct KubeletShare {
    /// CPUs the kubelet can give pods, host-wide (zones take their part).
    let cpus: CPUSet
    /// CPUs some container holds exclusively.
    let heldCPUs: CPUSet
    /// Nodes the slice may take memory from (nil: any).
    let memoryNodes: CPUSet?
    /// The slice's `memory.max`, when the layout bounds it.
    let memoryCap: UInt64?
    /// Other services' `memory.min`, per node: memory pods cannot have.
    let guaranteedToOthers: [Int: UInt64]
    /// What the kubelet's memory manager may pin, per type and node (only
    /// when it reports any: its `Static` policy).
    let reported: [String: [Int: UInt64]]
    /// What pods hold pinned, per type and node.
    let held: [String: [Int: UInt64]]

    init(builder b: NodeResourceTopologyBuilder) {
        let topology = b.snapshot.topology
        let online = topology.onlineCPUs
        var notForPods = topology.offlineCPUs
        for enclave in b.snapshot.enclaves { notForPods.formUnion(enclave.cpus) }
        for pool in b.snapshot.enclavePools { notForPods.formUnion(pool.cpus) }
        let kubeletService = b.applied?.layout.kubeletService
        if let applied = b.applied {
            if applied.layout.host.confine { notForPods.formUnion(applied.placement.host.cpus) }
            for enclave in applied.placement.enclaves { notForPods.formUnion(enclave.value.cpus) }
        }

        // What sosplan gives the kubelet's slice.
        let slice: CPUSet
        var memoryNodes: CPUSet?
        if let applied = b.applied, let service = kubeletService, let placed = applied.placement.service(service.name) {
            slice = placed.cpus
            memoryNodes = placed.memoryNodes.isEmpty ? nil : placed.memoryNodes
        } else if let applied = b.applied {
            // No slice of its own: what no exclusive owner holds.
            var taken = CPUSet()
            for service in applied.placement.services where !service.value.shared { taken.formUnion(service.value.cpus) }
            slice = online.subtracting(taken)
        } else if let unit = b.snapshot.systemd?.unit(KubeletObservation.podsSlice), let cpus = unit.allowedCPUs, !cpus.isEmpty {
            slice = cpus
            memoryNodes = unit.allowedMemoryNodes.flatMap { $0.isEmpty ? nil : $0 }
        } else {
            slice = online
        }

        // What the kubelet's CPU manager may give out.
        var kubelet = online
        if let podResources = b.podResources {
            kubelet = podResources.allocatable.cpus
        } else if let reserved = b.snapshot.kubelet?.effectiveConfiguration.reservedSystemCPUs {
            kubelet = online.subtracting(reserved)
        }
        cpus = slice.intersection(kubelet).intersection(online).subtracting(notForPods)
        heldCPUs = b.podResources?.exclusiveCPUs ?? CPUSet()
        self.memoryNodes = memoryNodes

        if case .value(let max)? = kubeletService?.memory.max { memoryCap = max } else { memoryCap = nil }
        guaranteedToOthers = Self.memoryGuarantees(b, except: kubeletService?.name)
        var reported: [String: [Int: UInt64]] = [:]
        for block in b.podResources?.allocatable.memory ?? [] {
            for node in block.nodes { reported[block.type, default: [:]][node, default: 0] += block.bytes }
        }
        self.reported = reported
        // As the reference exporter counts them: a block on several nodes
        // counts whole on each (the kubelet does not say how it splits).
        var held: [String: [Int: UInt64]] = [:]
        for pod in b.podResources?.pods ?? [] {
            for container in pod.containers {
                for block in container.memory {
                    for node in Set(block.nodes) { held[block.type, default: [:]][node, default: 0] += block.bytes }
                }
            }
        }
        self.held = held
    }

    /// Allocatable and available bytes of `type` (`memory`, `hugepages-2Mi`)
    /// on `node`, where `free` is what the node has of it outside enclaves.
    func memory(_ type: String, on node: Int, free: UInt64) -> (allocatable: UInt64, available: UInt64) {
        guard memoryNodes?.contains(node) ?? true else { return (0, 0) }
        var allocatable = free
        if type == "memory" {
            allocatable = allocatable.minus(guaranteedToOthers[node] ?? 0)
            if let memoryCap { allocatable = min(allocatable, memoryCap) }
        }
        if let perNode = reported[type] { allocatable = min(allocatable, perNode[node] ?? 0) }
        return (allocatable, allocatable.minus(held[type]?[node] ?? 0))
    }

    /// `memory.min` of each Linux service but the kubelet's, split evenly
    /// over its memory nodes (every node with memory when it may use any);
    /// the remainder goes to the lowest node so the shares add up.
    static func memoryGuarantees(_ b: NodeResourceTopologyBuilder, except kubelet: String?) -> [Int: UInt64] {
        guard let applied = b.applied else { return [:] }
        let withMemory = CPUSet(b.snapshot.topology.nodes.filter { $0.memoryBytes > 0 }.map(\.id))
        var shares: [Int: UInt64] = [:]
        for service in applied.layout.services where service.stack == .linux && service.name != kubelet {
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
}
