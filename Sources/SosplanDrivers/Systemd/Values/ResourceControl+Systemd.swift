import SosplanCore

/// How the systemd driver renders `ResourceControl`: unit-file lines and
/// D-Bus properties, each value validated once, the same way for both; and
/// how it compares them with what systemd reports.
extension ResourceControl {
    /// One managed setting: its unit file line, its D-Bus property, and the
    /// value systemd reports back (UINT64_MAX as nil, as in `SystemdUnit`).
    struct Setting {
        var fileKey: String
        var fileValue: String
        var busName: String
        var busValue: DBusValue
        var observed: (SystemdUnit) -> AnyHashable?
        var expected: AnyHashable?
    }

    /// The managed settings in a fixed order, validated.
    func settings(field: String) throws(SystemdError) -> [Setting] {
        var out: [Setting] = []
        func cpus(_ set: CPUSet?, _ key: String, _ observed: @escaping (SystemdUnit) -> CPUSet?) throws(SystemdError) {
            guard let set else { return }
            if set.isEmpty {
                throw .invalidValue(field: "\(field).\(key)", value: "", reason: "an empty set would mean 'no restriction'; leave it unset instead")
            }
            if let last = set.last, last > CPUSet.maximumID {
                throw .invalidValue(field: "\(field).\(key)", value: set.description, reason: "ids above \(CPUSet.maximumID) are not accepted")
            }
            out.append(Setting(fileKey: key, fileValue: set.description, busName: key, busValue: .bytes(set.systemdBitmap),
                               observed: { observed($0) }, expected: set))
        }
        func number(_ v: UInt64?, _ key: String, _ render: (UInt64) throws(SystemdError) -> String,
                    busName: String? = nil, _ observed: @escaping (SystemdUnit) -> UInt64?) throws(SystemdError) {
            guard let v else { return }
            let text = try render(v)
            out.append(Setting(fileKey: key, fileValue: text, busName: busName ?? key, busValue: .uint64(v),
                               observed: { observed($0) }, expected: v))
        }
        func limit(_ l: Limit?, _ key: String, tasks: Bool = false, _ observed: @escaping (SystemdUnit) -> UInt64?) throws(SystemdError) {
            guard let l else { return }
            let f = "\(field).\(key)"
            let text = tasks ? try UnitFileValue.tasks(l, field: f) : try UnitFileValue.bytes(l, field: f)
            let raw: UInt64 = if case .value(let v) = l { v } else { .max }
            out.append(Setting(fileKey: key, fileValue: text, busName: key, busValue: .uint64(raw),
                               observed: { observed($0) }, expected: raw == .max ? nil : raw))
        }
        try cpus(allowedCPUs, "AllowedCPUs") { $0.allowedCPUs }
        try cpus(allowedMemoryNodes, "AllowedMemoryNodes") { $0.allowedMemoryNodes }
        try number(cpuWeight, "CPUWeight", { v throws(SystemdError) in try UnitFileValue.weight(v, field: "\(field).CPUWeight") }) { $0.cpuWeight }
        try number(ioWeight, "IOWeight", { v throws(SystemdError) in try UnitFileValue.weight(v, field: "\(field).IOWeight") }) { $0.ioWeight }
        try number(cpuQuotaPerSecUSec, "CPUQuota", { v throws(SystemdError) in try UnitFileValue.cpuQuota(perSecondUSec: v, field: "\(field).CPUQuota") },
                   busName: "CPUQuotaPerSecUSec") { $0.cpuQuotaPerSecUSec }
        try limit(memoryMin, "MemoryMin") { $0.memoryMin }
        try limit(memoryLow, "MemoryLow") { $0.memoryLow }
        try limit(memoryHigh, "MemoryHigh") { $0.memoryHigh }
        try limit(memoryMax, "MemoryMax") { $0.memoryMax }
        try limit(tasksMax, "TasksMax", tasks: true) { $0.tasksMax }
        return out
    }

    /// `Key=value` lines for a unit file section, in a fixed order.
    public func unitFileEntries(field: String) throws(SystemdError) -> [(String, String)] {
        try settings(field: field).map { ($0.fileKey, $0.fileValue) }
    }

    /// The `a(sv)` pairs for `SetUnitProperties`.
    public func busProperties(field: String) throws(SystemdError) -> [(String, DBusValue)] {
        try settings(field: field).map { ($0.busName, $0.busValue) }
    }

    /// The D-Bus names of the managed settings whose observed value differs.
    public func mismatches(in unit: SystemdUnit) -> [String] {
        guard let all = try? settings(field: "") else { return [] }
        return all.filter { $0.observed(unit) != $0.expected }.map(\.busName)
    }

    /// The settings that differ from `unit`, as a smaller `ResourceControl`.
    func restricted(to busNames: Set<String>) -> ResourceControl {
        var r = ResourceControl()
        if busNames.contains("AllowedCPUs") { r.allowedCPUs = allowedCPUs }
        if busNames.contains("AllowedMemoryNodes") { r.allowedMemoryNodes = allowedMemoryNodes }
        if busNames.contains("CPUWeight") { r.cpuWeight = cpuWeight }
        if busNames.contains("IOWeight") { r.ioWeight = ioWeight }
        if busNames.contains("CPUQuotaPerSecUSec") { r.cpuQuotaPerSecUSec = cpuQuotaPerSecUSec }
        if busNames.contains("MemoryMin") { r.memoryMin = memoryMin }
        if busNames.contains("MemoryLow") { r.memoryLow = memoryLow }
        if busNames.contains("MemoryHigh") { r.memoryHigh = memoryHigh }
        if busNames.contains("MemoryMax") { r.memoryMax = memoryMax }
        if busNames.contains("TasksMax") { r.tasksMax = tasksMax }
        return r
    }
}
