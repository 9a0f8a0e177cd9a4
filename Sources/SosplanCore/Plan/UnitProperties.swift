/// The systemd properties sosplan manages on a slice, as plan values: CPU
/// and node lists as strings (`""` = unrestricted), sizes and counts as
/// numbers or `"infinity"`, weights as numbers or null (not set). The same
/// mapping reads observed units and writes simulated ones, so a plan, its
/// execution and the next observation agree.
public enum UnitProperties {
    /// The properties in the order plans show them.
    public static let sliceKeys = [
        "AllowedCPUs", "AllowedMemoryNodes", "CPUWeight", "IOWeight", "MemoryMin", "MemoryLow", "MemoryHigh",
        "MemoryMax", "TasksMax",
    ]

    public static func limit(_ v: UInt64?) -> JSONValue { v.map { JSONValue.uint($0) } ?? .string("infinity") }
    public static func weight(_ v: UInt64?) -> JSONValue { v.map { JSONValue.uint($0) } ?? .null }

    /// What a slice should have for a service placed on `cpus`.
    public static func desired(_ service: ServiceSpec, cpus: CPUSet, memoryNodes: CPUSet) -> PropertyMap {
        func bytes(_ l: Limit?, unset: UInt64?) -> UInt64? {
            switch l {
            case .none: return unset
            case .some(.infinity): return nil
            case .some(.value(let v)): return v
            }
        }
        var p = PropertyMap()
        p["AllowedCPUs"] = .string(cpus.description)
        p["AllowedMemoryNodes"] = .string(memoryNodes.description)
        p["CPUWeight"] = weight(service.cpuWeight.map(UInt64.init))
        p["IOWeight"] = weight(service.ioWeight.map(UInt64.init))
        // systemd's defaults: MemoryMin/Low 0, MemoryHigh/Max and TasksMax infinity.
        p["MemoryMin"] = limit(bytes(service.memory.min, unset: 0))
        p["MemoryLow"] = limit(bytes(service.memory.low, unset: 0))
        p["MemoryHigh"] = limit(bytes(service.memory.high, unset: nil))
        p["MemoryMax"] = limit(bytes(service.memory.max, unset: nil))
        p["TasksMax"] = limit(bytes(service.tasksMax, unset: nil))
        return p
    }

    /// What an observed unit has, in the same form.
    public static func observed(_ u: SystemdUnit) -> PropertyMap {
        var p = PropertyMap()
        p["AllowedCPUs"] = .string((u.allowedCPUs ?? CPUSet()).description)
        p["AllowedMemoryNodes"] = .string((u.allowedMemoryNodes ?? CPUSet()).description)
        p["CPUWeight"] = weight(u.cpuWeight)
        p["IOWeight"] = weight(u.ioWeight)
        p["MemoryMin"] = limit(u.memoryMin ?? 0)
        p["MemoryLow"] = limit(u.memoryLow ?? 0)
        p["MemoryHigh"] = limit(u.memoryHigh)
        p["MemoryMax"] = limit(u.memoryMax)
        p["TasksMax"] = limit(u.tasksMax)
        return p
    }

    /// Writes plan values back into a unit (simulated execution).
    public static func apply(_ p: PropertyMap, to u: inout SystemdUnit) {
        for (key, value) in p.entries {
            switch key {
            case "AllowedCPUs": u.allowedCPUs = value.stringValue.flatMap { try? CPUSet(lenientList: $0) }
            case "AllowedMemoryNodes": u.allowedMemoryNodes = value.stringValue.flatMap { try? CPUSet(lenientList: $0) }
            case "CPUWeight": u.cpuWeight = value.uint64Value
            case "IOWeight": u.ioWeight = value.uint64Value
            case "MemoryMin": u.memoryMin = value.uint64Value
            case "MemoryLow": u.memoryLow = value.uint64Value
            case "MemoryHigh": u.memoryHigh = value.uint64Value
            case "MemoryMax": u.memoryMax = value.uint64Value
            case "TasksMax": u.tasksMax = value.uint64Value
            case "Slice": u.slice = value.stringValue
            case "ExecStart": u.execStart = value.arrayValue?.compactMap(\.stringValue)
            case NUMAPolicySetting.policyKey: u.numaPolicy = NUMAPolicySetting(planProperties: p)
            default: break
            }
        }
    }

    /// The entries of `new` that differ from `old` (both sides returned).
    public static func changes(from old: PropertyMap, to new: PropertyMap) -> (before: PropertyMap, after: PropertyMap) {
        var before = PropertyMap(), after = PropertyMap()
        for (key, value) in new.entries where old[key] != value {
            before[key] = old[key] ?? .null
            after[key] = value
        }
        return (before, after)
    }
}
