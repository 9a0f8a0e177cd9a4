import SosplanCore

extension ResourceControl {
    /// Reads a plan step's `after` properties (`UnitProperties` form: CPU
    /// lists as strings with `""` = unrestricted, sizes and counts as numbers
    /// or `"infinity"`, weights as numbers or null = not set), so that apply
    /// can hand a `slice.create/update` step straight to the driver.
    ///
    /// Keys in `ignoring` (the step's non-resource keys) are skipped; any
    /// other unknown key or malformed value is refused, never dropped.
    public init(planProperties p: PropertyMap, ignoring: Set<String> = ["Slice", "ExecStart", "ExistingSlice"]) throws(SystemdError) {
        self.init()
        for (key, value) in p.entries where !ignoring.contains(key) {
            func bad(_ why: String) -> SystemdError { .invalidValue(field: "plan property \(key)", value: "\(value)", reason: why) }
            func cpus() throws(SystemdError) -> CPUSet? {
                guard let s = value.stringValue else { throw bad("expected a CPU list string") }
                if s.isEmpty { return nil }
                do { return try CPUSet(lenientList: s) } catch { throw bad(error.message) }
            }
            func number() throws(SystemdError) -> UInt64? {
                if value.isNull { return nil }
                guard let n = value.uint64Value else { throw bad("expected a number or null") }
                return n
            }
            func limit() throws(SystemdError) -> Limit? {
                if value.isNull { return nil }
                if value.stringValue == "infinity" { return .infinity }
                guard let n = value.uint64Value else { throw bad("expected a number, \"infinity\" or null") }
                return .value(n)
            }
            switch key {
            case "AllowedCPUs": allowedCPUs = try cpus()
            case "AllowedMemoryNodes": allowedMemoryNodes = try cpus()
            case "CPUWeight": cpuWeight = try number()
            case "IOWeight": ioWeight = try number()
            case "CPUQuotaPerSecUSec": cpuQuotaPerSecUSec = value.stringValue == "infinity" ? nil : try number()
            case "MemoryMin": memoryMin = try limit()
            case "MemoryLow": memoryLow = try limit()
            case "MemoryHigh": memoryHigh = try limit()
            case "MemoryMax": memoryMax = try limit()
            case "TasksMax": tasksMax = try limit()
            default: throw bad("not a resource property sosplan manages")
            }
        }
    }
}
