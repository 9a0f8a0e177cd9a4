import SosplanCore

/// The live machine's topology: sysfs under `/` is authoritative (it knows
/// packages, cores, caches and offline CPUs); libnuma cross-checks the NUMA
/// part, and every disagreement becomes a warning rather than a guess.
public struct LiveTopologyProbe: TopologyProbe {
    public var sysfs: SysfsTopologyProbe
    public var numa: NumaTopologyProbe

    public init(stateDirectory: StateDirectory? = nil, numa: NumaTopologyProbe = NumaTopologyProbe()) {
        self.init(sysfs: SysfsTopologyProbe(root: "/", stateDirectory: stateDirectory), numa: numa)
    }

    /// Pairs any sysfs probe with any libnuma (tests simulate hosts with it).
    public init(sysfs: SysfsTopologyProbe, numa: NumaTopologyProbe) {
        self.sysfs = sysfs
        self.numa = numa
    }

    public func probeTopology() throws -> TopologyObservation {
        var observation = try sysfs.probeTopology()
        observation.warnings += Self.crossCheck(observation.topology, numa.probeNodes())
        return observation
    }

    /// Where libnuma disagrees with the sysfs topology (free memory is not
    /// compared: it changes between the two reads).
    public static func crossCheck(_ topology: Topology, _ numa: NumaNodes) -> [String] {
        let numaNodes: [NUMANode]
        switch numa {
        case .nodes(let nodes): numaNodes = nodes
        case .unsupported(let status):
            guard topology.nodes.count > 1 else { return [] }
            return [
                "libnuma says NUMA is unavailable (numa_available() = \(status)) but sysfs shows \(topology.nodes.count) nodes; sysfs used"
            ]
        case .unloadable(let why):
            return ["\(why); NUMA nodes read from sysfs only (not cross-checked)"]
        }
        var warnings: [String] = []
        let sysfsIDs = CPUSet(topology.nodes.map(\.id))
        let numaIDs = CPUSet(numaNodes.map(\.id))
        if sysfsIDs != numaIDs {
            warnings.append("libnuma sees NUMA nodes \(numaIDs), sysfs \(sysfsIDs); sysfs used")
        }
        let present = topology.presentCPUs
        for node in topology.nodes {
            guard let other = numaNodes.first(where: { $0.id == node.id }) else { continue }
            let numaCPUs = other.cpus.intersection(present)
            if numaCPUs != node.cpus {
                warnings.append("node \(node.id): libnuma gives CPUs \(numaCPUs), sysfs \(node.cpus); sysfs used")
            }
            if other.memoryBytes != node.memoryBytes {
                warnings.append(
                    "node \(node.id): libnuma gives \(other.memoryBytes) bytes of memory, sysfs \(node.memoryBytes); sysfs used")
            }
            if !other.distances.isEmpty, !node.distances.isEmpty, other.distances != node.distances {
                warnings.append("node \(node.id): libnuma gives distances \(other.distances), sysfs \(node.distances); sysfs used")
            }
        }
        return warnings
    }
}
