/// A run as podman's argument vector (`ExecStart=`, `podman update`) and
/// that vector read back from systemd.
extension ContainerRun {
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
        guard let cut = rest.firstRange(of: ",destination=") else { return nil }
        return ContainerMount(source: String(rest[..<cut.lowerBound]), target: String(rest[cut.upperBound...]), readOnly: readOnly)
    }
}
