/// Finding devices by the names a layout uses, and where they are.
extension Topology {
    /// The PCI devices, by address (empty when the host has none).
    public var pciDevices: [PCIDevice] { devices ?? [] }

    /// The device a layout's reference names, or nil.
    public func device(_ reference: DeviceReference) -> PCIDevice? {
        switch reference {
        case .address(let a): return pciDevices.first { $0.address == a }
        case .name(let n): return pciDevices.first { $0.names.contains { $0.name == n } }
        case .classIndex(let c, let i):
            let ofClass = pciDevices.filter { $0.deviceClass == c }
            return i < ofClass.count ? ofClass[i] : nil
        }
    }

    /// The nodes with CPUs a device is near: its node when that node has
    /// CPUs; for a node without CPUs (a CXL device's memory node) the
    /// nodes with CPUs nearest to it (SLIT); without a node, the nodes its
    /// local CPUs lie on. Empty when it is near every node alike (no
    /// locality: nothing to place it near).
    public func localNodes(of device: PCIDevice) -> CPUSet {
        let withCPUs = nodes.filter { !$0.cpus.isEmpty }
        if let id = device.node, let node = node(id) {
            if !node.cpus.isEmpty { return CPUSet([id]) }
            if let initiators = node.initiators, !initiators.isEmpty { return initiators }
            return nearestNodes(to: node, among: withCPUs)
        }
        let near = CPUSet(withCPUs.filter { !$0.cpus.isDisjoint(with: device.localCPUs) }.map(\.id))
        return withCPUs.count <= 1 || near.count == withCPUs.count ? CPUSet() : near
    }

    /// The nodes of `among` at the smallest SLIT distance from `node`
    /// (all of them when there is no distance table).
    func nearestNodes(to node: NUMANode, among candidates: [NUMANode]) -> CPUSet {
        let ids = nodes.map(\.id)
        func distance(_ other: NUMANode) -> Int? {
            guard let i = ids.firstIndex(of: other.id), i < node.distances.count else { return nil }
            return node.distances[i]
        }
        let known = candidates.compactMap { c in distance(c).map { (c.id, $0) } }
        guard let best = known.map(\.1).min() else { return CPUSet(candidates.map(\.id)) }
        return CPUSet(known.filter { $0.1 == best }.map(\.0))
    }

    /// Nodes holding memory of `tier`; nodes hwloc leaves unnamed count as DRAM.
    public func nodes(ofTier tier: MemoryTier) -> [NUMANode] {
        nodes.filter { $0.memoryBytes > 0 && ($0.memoryTier ?? .dram) == tier }
    }
}
