import SosplanCore

/// Reads the host's topology and free resources (sysfs/procfs under a root,
/// or libnuma on the live machine).
public protocol TopologyProbe {
    func probeTopology() throws -> TopologyObservation
}

public struct TopologyObservation: Sendable {
    public var topology: Topology
    public var hostname: String?
    /// What was missing and how the probe degraded, for `snapshot.warnings`.
    public var warnings: [String]
    /// The CPUs and memory nodes the observing process's cpuset cgroup
    /// allows, when the probe found one; nil when unknown. Informational:
    /// `topology` lists every present CPU and node regardless.
    public var allowedCPUs: CPUSet?
    public var allowedMemoryNodes: CPUSet?

    public init(
        topology: Topology, hostname: String? = nil, warnings: [String] = [], allowedCPUs: CPUSet? = nil,
        allowedMemoryNodes: CPUSet? = nil
    ) {
        self.topology = topology
        self.hostname = hostname
        self.warnings = warnings
        self.allowedCPUs = allowedCPUs
        self.allowedMemoryNodes = allowedMemoryNodes
    }
}

/// Reads systemd's state of the units sosplan manages and the units named
/// in a layout.
public protocol SystemdStateSource {
    func observeSystemd(unitNames: [String]) throws -> SystemdState
}

/// Reads one co-kernel's instances and its reserved-but-unassigned pool.
public protocol EnclaveStateSource {
    var driver: EnclaveDriverKind { get }
    func observeEnclaves() throws -> EnclaveObservation
}

public struct EnclaveObservation: Sendable {
    public var instances: [EnclaveInstance]
    public var pool: EnclavePool?
    public var warnings: [String]

    public init(instances: [EnclaveInstance] = [], pool: EnclavePool? = nil, warnings: [String] = []) {
        self.instances = instances
        self.pool = pool
        self.warnings = warnings
    }
}

/// Reads the state of the containers sosplan's units run.
public protocol ContainerStateSource {
    func containerState(_ name: String) throws -> ContainerState
}

extension PodmanDriver: ContainerStateSource {
    public func containerState(_ name: String) throws -> ContainerState { try inspect(name) }
}
