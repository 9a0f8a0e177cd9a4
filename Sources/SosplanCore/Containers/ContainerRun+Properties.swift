/// A run as plan step properties and back: the values the plan shows and
/// the apply reads, checked again on the way in.
extension ContainerRun {
    /// What `podman update` changes on a running container.
    public static let liveKeys = ["CpusetCpus", "CpusetMems", "Memory", "MemoryReservation"]
    /// What only a new container (a restart) changes.
    public static let restartKeys = [
        "Image", "Command", "Args", "Environment", "Mounts", "Network", "Publish", "User", "Workdir", "ReadOnly", "Pull",
        "Runtime",
    ]

    /// Plan values: strings, lists and objects; null for what is not set.
    public var properties: PropertyMap {
        var p = PropertyMap()
        p["Image"] = .string(spec.image)
        p["Command"] = spec.command.map { .array($0.map(JSONValue.string)) } ?? .null
        p["Args"] = spec.args.map { .array($0.map(JSONValue.string)) } ?? .null
        p["Environment"] = spec.environment.isEmpty ? .null : .object(spec.environment.map { ($0.name, .string($0.value)) })
        p["Mounts"] = spec.mounts.isEmpty ? .null : .array(spec.mounts.map { m in
            .object([("source", .string(m.source)), ("target", .string(m.target)), ("readOnly", .bool(m.readOnly))])
        })
        p["Network"] = spec.network.map(JSONValue.string) ?? .null
        p["Publish"] = spec.publish.isEmpty ? .null : .array(spec.publish.map(JSONValue.string))
        p["User"] = spec.user.map(JSONValue.string) ?? .null
        p["Workdir"] = spec.workdir.map(JSONValue.string) ?? .null
        p["ReadOnly"] = spec.readOnly ? .bool(true) : .null
        p["Pull"] = spec.pull.map { .string($0.rawValue) } ?? .null
        p["Runtime"] = spec.runtime.map(JSONValue.string) ?? .null
        p["CpusetCpus"] = .string(cpus.description)
        p["CpusetMems"] = .string(memoryNodes.description)
        p["Memory"] = memory.map(JSONValue.uint) ?? .null
        p["MemoryReservation"] = memoryReservation.map(JSONValue.uint) ?? .null
        return p
    }

    /// The run `p` describes; every value is checked again with the
    /// layout's rules (a plan file may have been edited). Missing keys keep
    /// `base`'s values, so a step that carries only what changes applies
    /// on top of what runs.
    public init(properties p: PropertyMap, name: String, base: ContainerRun? = nil) throws(ContainerRunError) {
        func strings(_ key: String) throws(ContainerRunError) -> [String]? {
            guard let v = p[key], !v.isNull else { return nil }
            guard let items = v.arrayValue else { throw ContainerRunError("\(key) is not a list") }
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw ContainerRunError("\(key) holds a value that is not a string") }
                out.append(s)
            }
            return out
        }
        func string(_ key: String) throws(ContainerRunError) -> String? {
            guard let v = p[key], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw ContainerRunError("\(key) is not a string") }
            return s
        }
        func bytes(_ key: String) throws(ContainerRunError) -> UInt64? {
            guard let v = p[key], !v.isNull else { return nil }
            guard let n = v.uint64Value else { throw ContainerRunError("\(key) is not a byte count") }
            return n
        }
        func set(_ key: String) throws(ContainerRunError) -> CPUSet {
            guard let s = try string(key) else { return CPUSet() }
            do { return try CPUSet(lenientList: s) } catch { throw ContainerRunError("\(key) '\(s)' is not a list: \(error.message)") }
        }
        var run = base ?? ContainerRun(name: name, spec: ContainerSpec(image: ""))
        run.name = name
        if p["Image"] != nil { run.spec.image = try string("Image") ?? "" }
        if p["Command"] != nil { run.spec.command = try strings("Command") }
        if p["Args"] != nil { run.spec.args = try strings("Args") }
        if let v = p["Environment"] {
            var env: [EnvironmentVariable] = []
            if !v.isNull {
                guard let pairs = v.objectValue else { throw ContainerRunError("Environment is not an object") }
                for (k, value) in pairs {
                    guard let s = value.stringValue else { throw ContainerRunError("Environment \(k) is not a string") }
                    env.append(EnvironmentVariable(k, s))
                }
            }
            run.spec.environment = env
        }
        if let v = p["Mounts"] {
            var mounts: [ContainerMount] = []
            for m in v.arrayValue ?? [] {
                guard let source = m["source"]?.stringValue, let target = m["target"]?.stringValue else {
                    throw ContainerRunError("a mount has no source or target")
                }
                mounts.append(ContainerMount(source: source, target: target, readOnly: m["readOnly"]?.boolValue ?? false))
            }
            run.spec.mounts = mounts
        }
        if p["Network"] != nil { run.spec.network = try string("Network") }
        if p["Publish"] != nil { run.spec.publish = try strings("Publish") ?? [] }
        if p["User"] != nil { run.spec.user = try string("User") }
        if p["Workdir"] != nil { run.spec.workdir = try string("Workdir") }
        if let v = p["ReadOnly"] { run.spec.readOnly = v.boolValue ?? false }
        if p["Pull"] != nil {
            let raw = try string("Pull")
            run.spec.pull = try raw.map { (r: String) throws(ContainerRunError) -> ContainerSpec.PullPolicy in
                guard let policy = ContainerSpec.PullPolicy(rawValue: r) else { throw ContainerRunError("Pull '\(r)' is not a pull policy") }
                return policy
            }
        }
        if p["Runtime"] != nil { run.spec.runtime = try string("Runtime") }
        if p["CpusetCpus"] != nil { run.cpus = try set("CpusetCpus") }
        if p["CpusetMems"] != nil { run.memoryNodes = try set("CpusetMems") }
        if p["Memory"] != nil { run.memory = try bytes("Memory") }
        if p["MemoryReservation"] != nil { run.memoryReservation = try bytes("MemoryReservation") }
        try run.validate()
        self = run
    }
}
