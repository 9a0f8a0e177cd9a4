/// The cgroup settings sosplan manages on a slice, unit or the host slices
/// (systemd.resource-control(5)): the one typed value for what a slice
/// should have (the planner's desired settings), what it has (read from an
/// observed unit) and what the driver writes. A nil field is not managed: it
/// is neither written nor compared. A plan's step carries these settings in
/// their JSON form (`UnitProperties`); the systemd driver renders them as
/// unit-file lines and D-Bus properties, validated the same way for both.
public struct ResourceControl: Sendable, Hashable {
    public var allowedCPUs: CPUSet?
    public var allowedMemoryNodes: CPUSet?
    /// 1...10000.
    public var cpuWeight: UInt64?
    /// 1...10000.
    public var ioWeight: UInt64?
    /// CPU time per second in µs (`CPUQuota=50%` is 500000).
    public var cpuQuotaPerSecUSec: UInt64?
    public var memoryMin: Limit?
    public var memoryLow: Limit?
    public var memoryHigh: Limit?
    public var memoryMax: Limit?
    public var tasksMax: Limit?

    public init(
        allowedCPUs: CPUSet? = nil, allowedMemoryNodes: CPUSet? = nil, cpuWeight: UInt64? = nil,
        ioWeight: UInt64? = nil, cpuQuotaPerSecUSec: UInt64? = nil, memoryMin: Limit? = nil,
        memoryLow: Limit? = nil, memoryHigh: Limit? = nil, memoryMax: Limit? = nil, tasksMax: Limit? = nil
    ) {
        self.allowedCPUs = allowedCPUs
        self.allowedMemoryNodes = allowedMemoryNodes
        self.cpuWeight = cpuWeight
        self.ioWeight = ioWeight
        self.cpuQuotaPerSecUSec = cpuQuotaPerSecUSec
        self.memoryMin = memoryMin
        self.memoryLow = memoryLow
        self.memoryHigh = memoryHigh
        self.memoryMax = memoryMax
        self.tasksMax = tasksMax
    }

    public var isEmpty: Bool { self == ResourceControl() }
}

extension ResourceControl {
    /// What an observed unit has, as plans read it: CPU and node sets as
    /// they are (unset when empty), weights as they are, MemoryMin/Low 0 and
    /// MemoryHigh/Max and TasksMax infinity when systemd reports none.
    /// (CPUQuota is not a plan setting and is left out.)
    public init(observed u: SystemdUnit) {
        self.init(
            allowedCPUs: u.allowedCPUs.flatMap { $0.isEmpty ? nil : $0 },
            allowedMemoryNodes: u.allowedMemoryNodes.flatMap { $0.isEmpty ? nil : $0 },
            cpuWeight: u.cpuWeight, ioWeight: u.ioWeight,
            memoryMin: .value(u.memoryMin ?? 0), memoryLow: .value(u.memoryLow ?? 0),
            memoryHigh: Self.limit(u.memoryHigh), memoryMax: Self.limit(u.memoryMax), tasksMax: Self.limit(u.tasksMax))
    }

    /// Writes the settings a plan manages into a unit as systemd would
    /// report them afterwards (simulated execution); unmanaged (nil) limits
    /// are left as they are.
    public func write(to u: inout SystemdUnit) {
        u.allowedCPUs = allowedCPUs
        u.allowedMemoryNodes = allowedMemoryNodes
        u.cpuWeight = cpuWeight
        u.ioWeight = ioWeight
        func set(_ limit: Limit?, _ field: WritableKeyPath<SystemdUnit, UInt64?>) {
            guard let limit else { return }
            if case .value(let v) = limit { u[keyPath: field] = v } else { u[keyPath: field] = nil }
        }
        set(memoryMin, \.memoryMin)
        set(memoryLow, \.memoryLow)
        set(memoryHigh, \.memoryHigh)
        set(memoryMax, \.memoryMax)
        set(tasksMax, \.tasksMax)
    }

    private static func limit(_ v: UInt64?) -> Limit { v.map { .value($0) } ?? .infinity }
}
