import FoundationEssentials
import Glibc
import SosplanCore

extension SDBusSystemdDriver {
    /// The host units, sosplan's own slices and units (marker files in the
    /// unit directory, or loaded units named `sosplan-*.slice|service`), and
    /// `unitNames` (e.g. from a layout). A name that systemd cannot find is
    /// reported with `loadState == "not-found"`, never as an empty loaded unit.
    public func observeSystemd(unitNames: [String]) throws -> SystemdState {
        try observeAll(unitNames: unitNames)
    }

    /// `observeSystemd` with a typed error.
    public func observeAll(unitNames: [String]) throws(SystemdError) -> SystemdState {
        var names = Set<UnitName>()
        for name in unitNames { names.insert(try UnitName(name, field: "unit")) }
        for name in HostUnits.names { names.insert(try UnitName(name)) }
        // One pass over the unit directory serves every unit below: without
        // it each unit costs a stat of every kind's path and re-reads its files.
        var managed: [String: ManagedFileKind] = [:]
        for entry in try unitDirectory.managedFiles() {
            if let u = try? UnitName(entry.unit) { names.insert(u) }
            managed[entry.path] = entry.kind
        }
        for name in try manager.listUnits(patterns: ["sosplan-*.slice", "sosplan-*.service"]) {
            if let u = try? UnitName(name) { names.insert(u) }
        }
        return SystemdState(units: try observe(names.sorted(), managedFiles: managed))
    }

    /// One unit as systemd reports it now.
    public func observeUnit(_ name: String) throws(SystemdError) -> SystemdUnit {
        try observe(try UnitName(name, field: "unit"))
    }

    /// Many units at once, in the given order (one `ListUnitsByNames`,
    /// pipelined `GetAll`s).
    public func observeUnits(_ names: [String]) throws(SystemdError) -> [SystemdUnit] {
        var units: [UnitName] = []
        for name in names { units.append(try UnitName(name, field: "unit")) }
        return try observe(units)
    }

    func observe(_ name: UnitName) throws(SystemdError) -> SystemdUnit { try observe([name])[0] }

    /// Units in the given order: one `ListUnitsByNames` for all of them (it
    /// loads them; a missing one comes back `not-found`), then one pipeline:
    /// `GetAll` on each loaded unit's type interface, except for the services
    /// sosplan runs itself (exec and container units): those get a `Get` of
    /// each property sosplan sets on them (`ownServiceProperties`). An exec
    /// unit's NUMA mask is read only when its policy takes nodes, in a
    /// second, usually empty, pipeline.
    ///
    /// A service's `GetAll` makes systemd compute its whole execution
    /// context (about 300 properties, each rlimit and scheduling default a
    /// system call); on a host with 200 such services that was most of
    /// systemd's time in every plan. Their resources live on their slices.
    /// Through dbus-daemon every message costs the broker about 20 µs, so
    /// the `Get`s are kept to what the plan compares.
    ///
    /// - Parameters:
    ///   - files: also read the unit directory for `managed` and `execStart`
    ///     (a pure before/after comparison of settings does not need it).
    ///   - managedFiles: the unit directory's marked files by relative path,
    ///     when just listed (`managedFiles()`); nil reads each unit's paths.
    func observe(
        _ names: [UnitName], files: Bool = true, managedFiles: [String: ManagedFileKind]? = nil
    ) throws(SystemdError) -> [SystemdUnit] {
        guard !names.isEmpty else { return [] }
        var units: [SystemdUnit] = []
        var kinds: [ManagedFileKind?] = []
        var reads = UnitReads()
        for (name, status) in zip(names, try manager.status(of: names)) {
            var unit = SystemdUnit(name: name.rawValue, managed: files ? try isManaged(name, managedFiles) : false)
            unit.loadState = status.loadState
            unit.activeState = status.activeState
            let kind = files && name.type == .service ? try serviceKind(name, managedFiles) : nil
            if status.loadState != "not-found" && name.type.hasResourceControl {
                let what: PropertyRead.Kind = switch kind {
                case .execUnit: .named(Self.ownServiceProperties + [NUMAPolicySetting.policyKey])
                case .containerUnit: .named(Self.ownServiceProperties)
                default: .all(Self.observedProperties)
                }
                reads.add(PropertyRead(path: status.path, interface: name.type.interface, unit: name, kind: what), at: units.count)
            }
            units.append(unit)
            kinds.append(kind)
        }
        var masks = UnitReads()
        for ((i, properties), read) in zip(zip(reads.indices, try manager.read(reads.reads)), reads.reads) {
            fill(&units[i], from: properties, kind: kinds[i])
            if kinds[i] == .execUnit, let policy = units[i].numaPolicy, policy.kind.takesNodes {
                masks.add(PropertyRead(path: read.path, interface: read.interface, unit: read.unit, kind: .named([NUMAPolicySetting.maskKey])), at: i)
            }
        }
        for (i, properties) in zip(masks.indices, try manager.read(masks.reads)) {
            units[i].numaPolicy?.nodes = CPUSet(systemdBitmap: properties[NUMAPolicySetting.maskKey]?.bytesValue ?? [])
        }
        return units
    }

    /// What `fill` reads; the rest of a `GetAll` reply is skipped undecoded.
    static let observedProperties = PropertyNames([
        "Slice", "ControlGroup", "AllowedCPUs", "AllowedMemoryNodes", "EffectiveCPUs", "CPUWeight", "IOWeight",
        "CPUQuotaPerSecUSec", "MemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax", "TasksMax", "ExecStart",
        "NUMAPolicy", "NUMAMask",
    ])

    /// What sosplan sets on the services it runs (the unit file it writes):
    /// read one by one, never with the rest of the service. An exec unit's
    /// `NUMAPolicy` too, and its `NUMAMask` when the policy takes nodes.
    static let ownServiceProperties = ["Slice", "ControlGroup", "ExecStart"]

    /// The kind of sosplan's own file for a service, if it wrote one.
    private func serviceKind(_ name: UnitName, _ managedFiles: [String: ManagedFileKind]?) throws(SystemdError) -> ManagedFileKind? {
        if let managedFiles { return managedFiles[name.rawValue] }
        if case .managed(let kind, _) = try unitDirectory.state(name.rawValue) { return kind }
        return nil
    }

    private func fill(_ unit: inout SystemdUnit, from p: [String: DBusValue], kind: ManagedFileKind?) {
        unit.slice = nonEmpty(p["Slice"]?.stringValue)
        unit.controlGroup = nonEmpty(p["ControlGroup"]?.stringValue)
        unit.allowedCPUs = cpuSet(p["AllowedCPUs"], emptyIsNil: true)
        unit.allowedMemoryNodes = cpuSet(p["AllowedMemoryNodes"], emptyIsNil: true)
        unit.effectiveCPUs = cpuSet(p["EffectiveCPUs"], emptyIsNil: false)
        unit.cpuWeight = limit(p["CPUWeight"])
        unit.ioWeight = limit(p["IOWeight"])
        unit.cpuQuotaPerSecUSec = limit(p["CPUQuotaPerSecUSec"])
        unit.memoryMin = limit(p["MemoryMin"])
        unit.memoryLow = limit(p["MemoryLow"])
        unit.memoryHigh = limit(p["MemoryHigh"])
        unit.memoryMax = limit(p["MemoryMax"])
        unit.tasksMax = limit(p["TasksMax"])
        if kind == .execUnit || kind == .containerUnit { unit.execStart = execArguments(p["ExecStart"]) }
        if kind == .execUnit, case .int32(let mpol)? = p["NUMAPolicy"]?.unwrapped {
            unit.numaPolicy = NUMAPolicySetting(mpol: mpol, nodes: CPUSet(systemdBitmap: p["NUMAMask"]?.bytesValue ?? []))
        }
    }

    /// True when a unit file or drop-in of this unit carries sosplan's marker.
    func isManaged(_ name: UnitName, _ managedFiles: [String: ManagedFileKind]? = nil) throws(SystemdError) -> Bool {
        for kind in ManagedFileKind.allCases {
            let relative = kind.relativePath(for: name)
            if let managedFiles {
                if managedFiles[relative] != nil { return true }
            } else if case .managed = try unitDirectory.state(relative) {
                return true
            }
        }
        return false
    }

    private func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }

    private func limit(_ v: DBusValue?) -> UInt64? {
        guard let n = v?.uint64Value, n != UInt64.max else { return nil }
        return n
    }

    private func cpuSet(_ v: DBusValue?, emptyIsNil: Bool) -> CPUSet? {
        guard let bytes = v?.bytesValue else { return nil }
        let set = CPUSet(systemdBitmap: bytes)
        return set.isEmpty && emptyIsNil ? nil : set
    }

    /// `ExecStart` is `a(sasbttttuii)`: (path, argv, ignore-failure, times...,
    /// pid, code, status). systemd reports argv before it expands environment
    /// variables at exec time, so sosplan's `$$` escapes are still there; the
    /// program receives `$` (sosplan's own units never contain a bare `$`).
    private func execArguments(_ v: DBusValue?) -> [String]? {
        guard let first = v?.arrayValues?.first?.structureFields, first.count > 1 else { return nil }
        return first[1].stringArray?.map { $0.replacingText("$$", with: "$") }
    }
}
