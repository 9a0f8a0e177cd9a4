/// systemd's view of the slices and units sosplan manages or is asked about.
public struct SystemdState: Codable, Sendable, Hashable {
    /// Units by ascending name.
    public var units: [SystemdUnit]

    public init(units: [SystemdUnit] = []) { self.units = units.sorted { $0.name < $1.name } }

    public func unit(_ name: String) -> SystemdUnit? { units.first { $0.name == name } }

    /// Where `unit(_:)` finds each name (its first unit of that name): for
    /// code that looks up every unit of a layout, O(units) once instead of
    /// O(units) per lookup.
    func firstIndexByName() -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, u) in units.enumerated() where index[u.name] == nil { index[u.name] = i }
        return index
    }
}

/// One unit's properties as systemd reports them over D-Bus. `UINT64_MAX`
/// ("infinity" or "not set" in systemd) is stored as nil.
public struct SystemdUnit: Codable, Sendable, Hashable {
    public var name: String
    /// `LoadState` (loaded, not-found, masked, ...).
    public var loadState: String?
    /// `ActiveState` (active, inactive, failed, ...).
    public var activeState: String?
    /// The slice the unit is in (`Slice`); nil for slices themselves at the root.
    public var slice: String?
    public var controlGroup: String?
    public var allowedCPUs: CPUSet?
    public var allowedMemoryNodes: CPUSet?
    /// What the kernel grants (empty on hosts without the cpuset controller).
    public var effectiveCPUs: CPUSet?
    public var cpuWeight: UInt64?
    public var ioWeight: UInt64?
    public var cpuQuotaPerSecUSec: UInt64?
    public var memoryMin: UInt64?
    public var memoryLow: UInt64?
    public var memoryHigh: UInt64?
    public var memoryMax: UInt64?
    public var tasksMax: UInt64?
    /// True when sosplan wrote this unit (its file or drop-in carries sosplan's marker).
    public var managed: Bool
    /// For `exec:` and `container:` units sosplan created: the argument vector it runs.
    public var execStart: [String]?
    /// For `container:` units: the container podman runs for it.
    public var container: ContainerState?
    /// For `exec:` units sosplan created: systemd's NUMAPolicy=/NUMAMask=,
    /// when the unit sets one.
    public var numaPolicy: NUMAPolicySetting?

    public init(name: String, managed: Bool = false) {
        self.name = name
        self.managed = managed
    }
}
