/// One container as sosplan runs it: the layout's `container:` plus what
/// the placement gives it (CPUs, memory nodes) and its memory limits. It is
/// the single source of three forms that must agree: the plan's step
/// properties, podman's argument vector in the unit's `ExecStart=`, and that
/// vector read back from systemd (`parse`), so plan, apply and the next
/// observation compare like with like.
public struct ContainerRun: Sendable, Hashable {
    /// The container's name (`sosplan-<service>`).
    public var name: String
    public var spec: ContainerSpec
    /// `--cpuset-cpus`; empty: not restricted.
    public var cpus: CPUSet
    /// `--cpuset-mems`; empty: not restricted.
    public var memoryNodes: CPUSet
    /// `--memory` (the layout's `memory.max`).
    public var memory: UInt64?
    /// `--memory-reservation` (the layout's `memory.low`).
    public var memoryReservation: UInt64?

    public init(
        name: String, spec: ContainerSpec, cpus: CPUSet = CPUSet(), memoryNodes: CPUSet = CPUSet(), memory: UInt64? = nil,
        memoryReservation: UInt64? = nil
    ) {
        self.name = name
        self.spec = spec
        self.cpus = cpus
        self.memoryNodes = memoryNodes
        self.memory = memory
        self.memoryReservation = memoryReservation
    }

    /// The run a service gets on `cpus` with memory from `memoryNodes`.
    public init(service: ServiceSpec, container: ContainerSpec, cpus: CPUSet, memoryNodes: CPUSet) {
        func bytes(_ l: Limit?) -> UInt64? { if case .value(let v)? = l { return v } else { return nil } }
        self.init(
            name: ContainerSpec.containerName(service: service.name), spec: container, cpus: cpus, memoryNodes: memoryNodes,
            memory: bytes(service.memory.max), memoryReservation: bytes(service.memory.low))
    }

    // MARK: Step properties

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

    /// The layout's rules, again: what reaches podman was checked here
    /// whatever its way in (layout, saved plan, journal).
    public func validate() throws(ContainerRunError) {
        func check(_ p: ContainerValues.Problem?, _ what: String) throws(ContainerRunError) {
            if let p { throw ContainerRunError("\(what): \(p.message)") }
        }
        guard ContainerSpec.isContainerName(name) else {
            throw ContainerRunError("container name '\(name)' is not sosplan-<service>")
        }
        try check(ContainerValues.imageProblem(spec.image), "image")
        for (i, a) in (spec.command ?? []).enumerated() { try check(ContainerValues.controlProblem(a, what: "argument"), "command[\(i)]") }
        if spec.command?.isEmpty == true { throw ContainerRunError("command is empty") }
        for (i, a) in (spec.args ?? []).enumerated() { try check(ContainerValues.controlProblem(a, what: "argument"), "args[\(i)]") }
        for e in spec.environment {
            try check(ContainerValues.environmentNameProblem(e.name), "env")
            try check(ContainerValues.controlProblem(e.value, what: "the value"), "env \(e.name)")
        }
        for m in spec.mounts {
            try check(ContainerValues.pathProblem(m.source, what: "the mount source", allowRoot: true), "mount")
            try check(ContainerValues.pathProblem(m.target, what: "the mount target"), "mount")
        }
        if let n = spec.network { try check(ContainerValues.networkProblem(n), "network") }
        for port in spec.publish { try check(ContainerValues.publishProblem(port), "publish") }
        if let u = spec.user { try check(ContainerValues.userProblem(u), "user") }
        if let w = spec.workdir { try check(ContainerValues.pathProblem(w, what: "the working directory", allowRoot: true), "workdir") }
        if let r = spec.runtime { try check(ContainerValues.runtimeProblem(r), "runtime") }
    }

    // MARK: podman's argument vector

    /// `podman [--runtime=R] run ...` in Quadlet's shape: the container's
    /// own name, replaced if it exists, removed when it stops, split
    /// cgroups (the payload stays below the unit's cgroup, in its slice),
    /// conmon tells systemd when it runs. Every value is one `--flag=value`
    /// argument, so none can be read as another option.
    public func argumentVector(podman: String, runtime: String? = nil) -> [String] {
        var argv = [podman]
        if let r = spec.runtime ?? runtime { argv.append("--runtime=\(r)") }
        argv += ["run", "--name=\(name)", "--replace", "--rm", "--cgroups=split", "--sdnotify=conmon", "--detach"]
        if !cpus.isEmpty { argv.append("--cpuset-cpus=\(cpus)") }
        if !memoryNodes.isEmpty { argv.append("--cpuset-mems=\(memoryNodes)") }
        if let m = memory { argv.append("--memory=\(m)") }
        if let m = memoryReservation { argv.append("--memory-reservation=\(m)") }
        if let p = spec.pull { argv.append("--pull=\(p.rawValue)") }
        if let n = spec.network { argv.append("--network=\(n)") }
        for port in spec.publish { argv.append("--publish=\(port)") }
        if let u = spec.user { argv.append("--user=\(u)") }
        if let w = spec.workdir { argv.append("--workdir=\(w)") }
        if spec.readOnly { argv.append("--read-only") }
        for e in spec.environment { argv.append("--env=\(e.name)=\(e.value)") }
        for m in spec.mounts {
            argv.append("--mount=type=bind,source=\(m.source),destination=\(m.target)" + (m.readOnly ? ",ro=true" : ""))
        }
        if let c = spec.command { argv.append("--entrypoint=" + JSONWriter.compact(.array(c.map(JSONValue.string)))) }
        argv.append(spec.image)
        argv += spec.args ?? []
        return argv
    }

    /// What `podman update` sets: the live values.
    public var updateArguments: [String] {
        var argv: [String] = []
        if !cpus.isEmpty { argv.append("--cpuset-cpus=\(cpus)") }
        if !memoryNodes.isEmpty { argv.append("--cpuset-mems=\(memoryNodes)") }
        if let m = memory { argv.append("--memory=\(m)") }
        if let m = memoryReservation { argv.append("--memory-reservation=\(m)") }
        return argv
    }

    /// Reads a vector `argumentVector` made back: the run, the podman
    /// program and the runtime flag. nil for anything else (an edited
    /// unit), which the planner treats as "replace it".
    public static func parse(_ argv: [String]) -> (run: ContainerRun, podman: String, runtime: String?)? {
        guard let podman = argv.first else { return nil }
        var i = 1
        var runtime: String?
        if i < argv.count, argv[i].hasPrefix("--runtime=") {
            runtime = String(argv[i].dropFirst("--runtime=".count))
            i += 1
        }
        let fixed = ["run", nil, "--replace", "--rm", "--cgroups=split", "--sdnotify=conmon", "--detach"]
        guard argv.count >= i + fixed.count + 1, argv[i] == "run", argv[i + 1].hasPrefix("--name=") else { return nil }
        let name = String(argv[i + 1].dropFirst("--name=".count))
        for (k, want) in fixed.enumerated() where want != nil && argv[i + k] != want! { return nil }
        i += fixed.count
        var run = ContainerRun(name: name, spec: ContainerSpec(image: "", runtime: runtime))
        while i < argv.count, argv[i].hasPrefix("--") {
            let arg = argv[i]
            i += 1
            if arg == "--read-only" { run.spec.readOnly = true; continue }
            guard let eq = arg.firstIndex(of: "=") else { return nil }
            let key = String(arg[..<eq]), value = String(arg[arg.index(after: eq)...])
            switch key {
            case "--cpuset-cpus": guard let s = try? CPUSet(lenientList: value) else { return nil }; run.cpus = s
            case "--cpuset-mems": guard let s = try? CPUSet(lenientList: value) else { return nil }; run.memoryNodes = s
            case "--memory": guard let n = UInt64(value) else { return nil }; run.memory = n
            case "--memory-reservation": guard let n = UInt64(value) else { return nil }; run.memoryReservation = n
            case "--pull": guard let p = ContainerSpec.PullPolicy(rawValue: value) else { return nil }; run.spec.pull = p
            case "--network": run.spec.network = value
            case "--publish": run.spec.publish.append(value)
            case "--user": run.spec.user = value
            case "--workdir": run.spec.workdir = value
            case "--env":
                guard let e = value.firstIndex(of: "=") else { return nil }
                run.spec.environment.append(EnvironmentVariable(String(value[..<e]), String(value[value.index(after: e)...])))
            case "--mount":
                guard let m = parseMount(value) else { return nil }
                run.spec.mounts.append(m)
            case "--entrypoint":
                guard let v = try? JSONParser.parse(value), let items = v.arrayValue else { return nil }
                let strings = items.compactMap(\.stringValue)
                guard strings.count == items.count else { return nil }
                run.spec.command = strings
            default: return nil
            }
        }
        guard i < argv.count else { return nil }
        run.spec.image = argv[i]
        let rest = Array(argv[(i + 1)...])
        run.spec.args = rest.isEmpty ? nil : rest
        return (run, podman, runtime)
    }

    static func parseMount(_ value: String) -> ContainerMount? {
        let prefix = "type=bind,source="
        guard value.hasPrefix(prefix) else { return nil }
        var rest = Substring(value.dropFirst(prefix.count))
        var readOnly = false
        if rest.hasSuffix(",ro=true") {
            readOnly = true
            rest = rest.dropLast(",ro=true".count)
        }
        guard let cut = rest.range(of: ",destination=") else { return nil }
        return ContainerMount(source: String(rest[..<cut.lowerBound]), target: String(rest[cut.upperBound...]), readOnly: readOnly)
    }

    /// Whether two runs differ in what needs a new container. An unset
    /// runtime means "the host's choice", which is not a difference.
    public func needsRestart(comparedTo running: ContainerRun) -> Bool {
        var a = spec, b = running.spec
        if a.runtime == nil { b.runtime = nil }
        return a != b || name != running.name
    }
}

public struct ContainerRunError: Error, CustomStringConvertible, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
