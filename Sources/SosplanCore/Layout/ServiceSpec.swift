/// A service: systemd units on Linux, a command or an OCI container of its
/// own, an existing slice another manager owns, or an application launched
/// into an enclave.
public struct ServiceSpec: Sendable, Hashable {
    public enum Stack: Sendable, Hashable, CustomStringConvertible {
        case linux
        case enclave(String)

        public var description: String {
            switch self {
            case .linux: return "linux"
            case .enclave(let name): return "enclave:\(name)"
            }
        }

        public var enclaveName: String? { if case .enclave(let n) = self { return n } else { return nil } }
    }

    public var name: String
    public var stack: Stack
    /// Existing units moved into the service's slice.
    public var units: [String]
    /// An argument vector (never a shell string); makes `sosplan-<name>.service`.
    public var exec: [String]?
    /// An OCI container run by podman; makes `sosplan-<name>.service` too.
    public var container: ContainerSpec?
    /// True when `slice` belongs to another manager (`kubepods.slice`,
    /// `machine.slice`): sosplan only confines it, with a drop-in.
    public var existingSlice: Bool
    /// The slice unit; `sosplan-<name>.slice` unless the layout names one.
    public var slice: String
    public var cpus: CPUAmount
    /// Devices the service's CPUs (and local memory) go next to (`near:`).
    public var near: [DeviceReference] = []
    public var memory: MemoryLimits
    public var cpuWeight: Int?
    public var ioWeight: Int?
    public var tasksMax: Limit?
    public var priority: Int
    /// No movable device interrupt and no unbound kernel work on its CPUs
    /// (`spec.isolation` says where they go).
    public var isolated = false
    /// How its CPUs idle and how fast they run.
    public var power: PowerClass?
    public var marks: SourceMarks

    public init(
        name: String, stack: Stack = .linux, units: [String] = [], exec: [String]? = nil,
        container: ContainerSpec? = nil, existingSlice: Bool = false,
        slice: String? = nil, cpus: CPUAmount = .shared, memory: MemoryLimits = MemoryLimits(),
        cpuWeight: Int? = nil, ioWeight: Int? = nil, tasksMax: Limit? = nil, priority: Int = 0,
        marks: SourceMarks = SourceMarks()
    ) {
        self.name = name
        self.stack = stack
        self.units = units
        self.exec = exec
        self.container = container
        self.existingSlice = existingSlice
        self.slice = slice ?? ServiceSpec.defaultSlice(for: name)
        self.cpus = cpus
        self.memory = memory
        self.cpuWeight = cpuWeight
        self.ioWeight = ioWeight
        self.tasksMax = tasksMax
        self.priority = priority
        self.marks = marks
    }

    public static func defaultSlice(for name: String) -> String { "sosplan-\(name).slice" }

    /// The unit sosplan creates for `exec:` and `container:` services.
    public var execUnitName: String { "sosplan-\(name).service" }

    /// True when sosplan creates `execUnitName` for this service.
    public var hasOwnUnit: Bool { exec != nil || container != nil }

    /// True when the service has CPUs of its own (not the shared pool).
    public var isExclusive: Bool { !cpus.isShared }
}

/// A limit that may be `infinity`.
public enum Limit: Sendable, Hashable, CustomStringConvertible {
    case value(UInt64)
    case infinity

    public var description: String {
        switch self {
        case .value(let v): return "\(v)"
        case .infinity: return "infinity"
        }
    }
}

/// `memory:` of a service: systemd's MemoryMin/Low/High/Max, and which NUMA
/// nodes it may allocate from.
public struct MemoryLimits: Sendable, Hashable {
    public enum Nodes: Sendable, Hashable {
        /// The nodes of the service's CPUs.
        case local
        /// No restriction.
        case any
        case list([Int])
    }

    public var min: Limit?
    public var low: Limit?
    public var high: Limit?
    public var max: Limit?
    public var nodes: Nodes
    /// `memory.tier`: nil when not given (any node).
    public var tier: MemoryTierRequest?
    /// `memory.policy`: nil when not given (no NUMAPolicy= of sosplan's).
    public var policy: MemoryPolicy?

    /// The node set a slice gets: `local` means `localNodes` (the nodes of
    /// the CPUs the service runs on), `any` means no restriction (empty).
    public func allowedNodes(local localNodes: CPUSet) -> CPUSet {
        switch nodes {
        case .local: return localNodes
        case .any: return CPUSet()
        case .list(let list): return CPUSet(list)
        }
    }

    public init(min: Limit? = nil, low: Limit? = nil, high: Limit? = nil, max: Limit? = nil, nodes: Nodes = .local) {
        self.min = min
        self.low = low
        self.high = high
        self.max = max
        self.nodes = nodes
    }
}
