import SosplanCore

/// What libnuma knows about the live machine: NUMA nodes, their CPUs and
/// memory, and the distances between them (no packages, cores or caches).
/// Used to cross-check the sysfs probe (`LiveTopologyProbe`); on a kernel
/// without NUMA support it says so instead of failing.
public struct NumaTopologyProbe: TopologyProbe {
    public var library: NumaLibrary

    public init(library: NumaLibrary = .system) { self.library = library }

    /// Nodes by ascending id, `.unsupported` when `numa_available()` is -1,
    /// `.unloadable` when libnuma itself could not be opened.
    public func probeNodes() -> NumaNodes {
        if let why = library.loadError() { return .unloadable(why) }
        let status = library.available()
        guard status >= 0 else { return .unsupported(status: status) }
        let maxNode = library.maxNode()
        guard maxNode >= 0 else { return .nodes([]) }
        let ids = (0...maxNode).filter { library.nodeSize($0) != nil }
        let nodes = ids.map { id -> NUMANode in
            let size = library.nodeSize(id)!
            let distances = ids.map { Int(library.distance(id, $0)) }
            return NUMANode(
                id: Int(id), cpus: library.nodeCPUs(id) ?? CPUSet(), memoryBytes: size.total, freeBytes: size.free,
                // numa_distance gives 0 everywhere when the kernel has no table.
                distances: distances.allSatisfy { $0 == 0 } ? [] : distances)
        }
        return .nodes(nodes)
    }

    /// A topology of the nodes only: every CPU of a node, marked online
    /// (libnuma does not say), with its node and nothing else. Throws
    /// `NumaProbeError.unsupported` when libnuma says NUMA is unavailable,
    /// `.unloadable` when libnuma could not be opened.
    public func probeTopology() throws -> TopologyObservation {
        let nodes: [NUMANode]
        switch probeNodes() {
        case .nodes(let found): nodes = found
        case .unsupported: throw NumaProbeError.unsupported
        case .unloadable(let why): throw NumaProbeError.unloadable(why)
        }
        var cpus: [CPUInfo] = []
        for node in nodes { cpus += node.cpus.map { CPUInfo(id: $0, node: node.id) } }
        return TopologyObservation(topology: Topology(cpus: cpus.sorted { $0.id < $1.id }, nodes: nodes))
    }
}

/// libnuma's answer.
public enum NumaNodes: Equatable, Sendable {
    case nodes([NUMANode])
    /// `numa_available()` returned this negative status.
    case unsupported(status: Int32)
    /// libnuma.so.1 could not be opened, for this reason.
    case unloadable(String)
}

public enum NumaProbeError: Error, Equatable, CustomStringConvertible {
    case unsupported
    case unloadable(String)

    public var description: String {
        switch self {
        case .unsupported: "libnuma: NUMA is not available on this system (numa_available() < 0)"
        case .unloadable(let why): "libnuma: \(why)"
        }
    }
}
