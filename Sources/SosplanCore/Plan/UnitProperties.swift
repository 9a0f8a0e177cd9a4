/// A slice's settings (`ResourceControl`) in a plan's JSON form: the one
/// place that knows the plan's property names. CPU and node lists are
/// strings (`""` = unrestricted), sizes and counts numbers or `"infinity"`,
/// weights numbers or null (not set). Steps show and diff settings in this
/// form; everything else (the planner's desired settings, an observed
/// unit's, what the driver writes) is the typed value.
public enum UnitProperties {
    /// The properties in the order plans show them.
    public static let sliceKeys = [
        "AllowedCPUs", "AllowedMemoryNodes", "CPUWeight", "IOWeight", "MemoryMin", "MemoryLow", "MemoryHigh",
        "MemoryMax", "TasksMax",
    ]

    /// Keys of slice and unit steps that are not settings.
    public static let otherKeys: Set<String> = [
        "Slice", "ExecStart", "ExistingSlice", NUMAPolicySetting.policyKey, NUMAPolicySetting.maskKey,
    ]

    /// What a slice should have for a service placed on `cpus`.
    public static func desired(_ service: ServiceSpec, cpus: CPUSet, memoryNodes: CPUSet) -> ResourceControl {
        // systemd's defaults when the layout says nothing: MemoryMin/Low 0, MemoryHigh/Max and TasksMax infinity.
        func limit(_ l: Limit?, unset: Limit) -> Limit { l ?? unset }
        return ResourceControl(
            allowedCPUs: cpus.isEmpty ? nil : cpus, allowedMemoryNodes: memoryNodes.isEmpty ? nil : memoryNodes,
            cpuWeight: service.cpuWeight.map(UInt64.init), ioWeight: service.ioWeight.map(UInt64.init),
            memoryMin: limit(service.memory.min, unset: .value(0)), memoryLow: limit(service.memory.low, unset: .value(0)),
            memoryHigh: limit(service.memory.high, unset: .infinity), memoryMax: limit(service.memory.max, unset: .infinity),
            tasksMax: limit(service.tasksMax, unset: .infinity))
    }

    // MARK: The JSON form

    private enum Field {
        case cpus(String, WritableKeyPath<ResourceControl, CPUSet?>)
        case weight(String, WritableKeyPath<ResourceControl, UInt64?>)
        case limit(String, WritableKeyPath<ResourceControl, Limit?>)

        var key: String {
            switch self {
            case .cpus(let k, _), .weight(let k, _), .limit(let k, _): return k
            }
        }
    }

    /// Every setting a plan may carry, in `sliceKeys` order (then CPUQuota,
    /// which plans read but never write).
    // Key paths are not Sendable; the table is a constant.
    nonisolated(unsafe) private static let fields: [Field] = [
        .cpus("AllowedCPUs", \.allowedCPUs), .cpus("AllowedMemoryNodes", \.allowedMemoryNodes),
        .weight("CPUWeight", \.cpuWeight), .weight("IOWeight", \.ioWeight),
        .limit("MemoryMin", \.memoryMin), .limit("MemoryLow", \.memoryLow), .limit("MemoryHigh", \.memoryHigh),
        .limit("MemoryMax", \.memoryMax), .limit("TasksMax", \.tasksMax),
        .weight("CPUQuotaPerSecUSec", \.cpuQuotaPerSecUSec),
    ]

    /// `settings` as plan properties: the CPU lists and weights always
    /// (unset as `""` and null), the limits when managed.
    public static func properties(_ settings: ResourceControl) -> PropertyMap {
        var p = PropertyMap()
        for field in fields {
            switch field {
            case .cpus(let key, let path): p[key] = .string((settings[keyPath: path] ?? CPUSet()).description)
            case .weight(let key, let path):
                if key == "CPUQuotaPerSecUSec" {
                    if let v = settings[keyPath: path] { p[key] = .uint(v) }
                } else {
                    p[key] = settings[keyPath: path].map { JSONValue.uint($0) } ?? .null
                }
            case .limit(let key, let path):
                switch settings[keyPath: path] {
                case .none: break
                case .some(.infinity): p[key] = .string("infinity")
                case .some(.value(let v)): p[key] = .uint(v)
                }
            }
        }
        return p
    }

    /// A plan property sosplan cannot read as a setting.
    public struct Failure: Error, CustomStringConvertible, Sendable, Hashable {
        public var key: String
        public var value: String
        public var reason: String

        public init(key: String, value: String, reason: String) {
            self.key = key
            self.value = value
            self.reason = reason
        }

        public var description: String { "plan property \(key): '\(value)' cannot be written to a unit file: \(reason)" }
    }

    /// Reads plan properties (a `slice.create` step's `after`, or a
    /// `slice.update` step's changes over `base`). Keys in `otherKeys` are
    /// skipped; any other unknown key or malformed value is refused, never
    /// dropped.
    public static func settings(_ p: PropertyMap, over base: ResourceControl = ResourceControl()) throws(Failure) -> ResourceControl {
        var r = base
        for (key, value) in p.entries where !otherKeys.contains(key) {
            func bad(_ why: String) -> Failure { Failure(key: key, value: JSONWriter.compact(value), reason: why) }
            guard let field = fields.first(where: { $0.key == key }) else { throw bad("not a resource property sosplan manages") }
            switch field {
            case .cpus(_, let path):
                guard let s = value.stringValue else { throw bad("expected a CPU list string") }
                if s.isEmpty {
                    r[keyPath: path] = nil
                } else {
                    do { r[keyPath: path] = try CPUSet(lenientList: s) } catch { throw bad(error.message) }
                }
            case .weight(_, let path):
                if value.isNull || (key == "CPUQuotaPerSecUSec" && value.stringValue == "infinity") {
                    r[keyPath: path] = nil
                } else {
                    guard let n = value.uint64Value else { throw bad("expected a number or null") }
                    r[keyPath: path] = n
                }
            case .limit(_, let path):
                if value.isNull {
                    r[keyPath: path] = nil
                } else if value.stringValue == "infinity" {
                    r[keyPath: path] = .infinity
                } else {
                    guard let n = value.uint64Value else { throw bad("expected a number, \"infinity\" or null") }
                    r[keyPath: path] = .value(n)
                }
            }
        }
        return r
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

extension Step {
    /// A `slice.create` or `slice.update` step's settings for the slice:
    /// the step's changes over what the slice has now (`current`; nil for a
    /// slice that does not exist), since an update carries only what differs.
    public func sliceSettings(over current: ResourceControl?) throws(UnitProperties.Failure) -> ResourceControl {
        try UnitProperties.settings(after, over: current ?? ResourceControl())
    }

    /// A slice another manager owns (`kubepods.slice`): sosplan writes it a
    /// drop-in, never a unit file.
    public var managesExistingSlice: Bool { after["ExistingSlice"]?.boolValue == true }
}
