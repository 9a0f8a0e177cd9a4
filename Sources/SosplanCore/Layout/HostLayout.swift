/// A decoded host layout (the v1 language of `design/host-layout.md`): how
/// one machine's CPUs, memory and hugepages are divided between the Linux
/// host, co-kernel enclaves and services. Every user-written value keeps the
/// mark it was written at, so planning problems can point at the line.
public struct HostLayout: Sendable {
    /// The file name as the user gave it (used in diagnostics).
    public var file: String
    public var metadata: LayoutMetadata
    public var policy: LayoutPolicy
    public var host: HostReservation
    public var hugepages: [HugepageRequest]
    public var enclaves: [EnclaveSpec]
    public var services: [ServiceSpec]
    /// `spec.isolation` and `spec.power` (see `IsolationSpec`, `PowerClass`).
    public var isolation = IsolationSpec()
    public var power = HostPower()
    /// `spec.slurm`: the node's Slurm job partition (see `SlurmSpec`).
    public var slurm: SlurmSpec?
    /// Marks of the document frame: `apiVersion`, `metadata`, `spec`,
    /// `spec.host`, `spec.hugepages`, `spec.enclaves`, `spec.services`.
    public var marks: SourceMarks = SourceMarks()

    public init(
        file: String, metadata: LayoutMetadata, policy: LayoutPolicy = LayoutPolicy(),
        host: HostReservation = HostReservation(), hugepages: [HugepageRequest] = [],
        enclaves: [EnclaveSpec] = [], services: [ServiceSpec] = []
    ) {
        self.file = file
        self.metadata = metadata
        self.policy = policy
        self.host = host
        self.hugepages = hugepages
        self.enclaves = enclaves
        self.services = services
    }

    public func enclave(named name: String) -> EnclaveSpec? { enclaves.first { $0.name == name } }
    public func service(named name: String) -> ServiceSpec? { services.first { $0.name == name } }
}

public struct LayoutMetadata: Sendable {
    public var name: String
    public var hostname: String?
    public var labels: [String: String]
    public var marks: SourceMarks

    public init(name: String, hostname: String? = nil, labels: [String: String] = [:], marks: SourceMarks = SourceMarks()) {
        self.name = name
        self.hostname = hostname
        self.labels = labels
        self.marks = marks
    }
}

public struct LayoutPolicy: Sendable, Hashable {
    public enum Topology: String, Sendable, CaseIterable {
        case none
        case bestEffort = "best-effort"
        case restricted
        case singleNUMANode = "single-numa-node"
    }

    public enum SMT: String, Sendable, CaseIterable {
        case wholeCores = "whole-cores"
        case threads
    }

    public enum Disruption: String, Sendable, CaseIterable {
        case `defer`
        case allow
    }

    public var topology: Topology
    public var smt: SMT
    public var disruption: Disruption
    public var marks: SourceMarks

    public init(
        topology: Topology = .restricted, smt: SMT = .wholeCores, disruption: Disruption = .defer,
        marks: SourceMarks = SourceMarks()
    ) {
        self.topology = topology
        self.smt = smt
        self.disruption = disruption
        self.marks = marks
    }
}

/// What stays with Linux itself: `host.cpus` CPUs for the OS and its
/// daemons, memory never given to enclaves, and whether host slices are
/// confined to those CPUs.
public struct HostReservation: Sendable, Hashable {
    public var cpus: CPUAmount
    public var memory: ByteSize
    public var confine: Bool
    public var marks: SourceMarks

    public init(
        cpus: CPUAmount = .count(CPURequest(count: 1)), memory: ByteSize = .zero, confine: Bool = true,
        marks: SourceMarks = SourceMarks()
    ) {
        self.cpus = cpus
        self.memory = memory
        self.confine = confine
        self.marks = marks
    }
}

/// A persistent hugepage pool: `count` pages of `size` on node `numa`, or
/// split evenly over the nodes with memory when `numa` is nil.
public struct HugepageRequest: Sendable, Hashable {
    public var size: ByteSize
    public var count: Int
    public var numa: Int?
    public var marks: SourceMarks

    public init(size: ByteSize, count: Int, numa: Int? = nil, marks: SourceMarks = SourceMarks()) {
        self.size = size
        self.count = count
        self.numa = numa
        self.marks = marks
    }
}

/// `spec.power`: the class of the CPUs nobody owns (the shared pool
/// outside the host's CPUs).
public struct HostPower: Sendable, Hashable {
    public var unassigned: PowerClass?
    public var marks: SourceMarks

    public init(unassigned: PowerClass? = nil, marks: SourceMarks = SourceMarks()) {
        self.unassigned = unassigned
        self.marks = marks
    }
}
