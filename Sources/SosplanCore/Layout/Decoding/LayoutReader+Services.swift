/// `spec.services[]`: systemd units on Linux, or applications in an enclave.
extension LayoutReader {
    static let serviceFields = [
        "name", "stack", "units", "exec", "container", "existingSlice", "slice", "cpus", "near", "memory", "cpuWeight", "ioWeight", "tasksMax",
        "priority", "isolated", "power",
    ]

    func service(_ node: YAMLNode, _ path: String) -> ServiceSpec {
        var service = ServiceSpec(name: "", marks: LayoutReader.marks(of: node))
        guard let f = fields(node, path, allowed: LayoutReader.serviceFields, required: ["name"]) else {
            return service
        }
        if let n = f["name"], let name = dnsLabel(n, f.path("name"), what: "service name") {
            service.name = name
            service.slice = ServiceSpec.defaultSlice(for: name)
        }
        if let n = f["stack"], let stack = stack(n, f.path("stack")) { service.stack = stack }
        if let n = f["units"], let units = units(n, f.path("units")) { service.units = units }
        if let n = f["exec"] { service.exec = exec(n, f.path("exec"), systemdRunsProgram: service.stack == .linux) }
        if let n = f["container"] { service.container = container(n, f.path("container")) }
        if let n = f["slice"], let slice = slice(n, f.path("slice")) { service.slice = slice }
        if let n = f["existingSlice"], let slice = existingSlice(n, f.path("existingSlice")) {
            service.slice = slice
            service.existingSlice = true
        }
        if let n = f["cpus"], let cpus = cpuAmount(n, f.path("cpus"), for: .service) { service.cpus = cpus }
        if let n = f["near"], let near = near(n, f.path("near")) { service.near = near }
        if let n = f["memory"], let memory = memoryLimits(n, f.path("memory")) { service.memory = memory }
        if let n = f["cpuWeight"] { service.cpuWeight = int(n, f.path("cpuWeight"), in: 1...10_000, what: "cpuWeight") }
        if let n = f["ioWeight"] { service.ioWeight = int(n, f.path("ioWeight"), in: 1...10_000, what: "ioWeight") }
        if let n = f["tasksMax"] { service.tasksMax = tasksMax(n, f.path("tasksMax")) }
        if let n = f["priority"], let p = int(n, f.path("priority"), in: LayoutReader.priorityRange, what: "a priority") { service.priority = p }
        if let n = f["isolated"], let isolated = bool(n, f.path("isolated")) { service.isolated = isolated }
        if let n = f["power"] { service.power = powerClass(n, f.path("power")) }
        checkStackFields(service, f)
        checkDevicePlacement(service, f)
        return service
    }

    /// What a service needs depends on where it runs: Linux services move
    /// units or run `exec`; enclave services always run `exec` through the
    /// enclave's launcher and have no units or memory limits of their own.
    private func checkStackFields(_ service: ServiceSpec, _ f: Fields) {
        guard !isBroken(f.path("stack")) else { return }
        switch service.stack {
        case .linux:
            if let n = f["existingSlice"] {
                for field in ["units", "exec", "container", "slice"] where f[field] != nil {
                    let hint = field == "slice"
                        ? "existingSlice already names the slice; leave out slice"
                        : "a service for an existing slice runs nothing of its own; put the \(field) in a service of their own"
                    error(f.path(field), "'\(field)' cannot be combined with 'existingSlice' (\(n.scalar ?? ""), owned by another manager)",
                          at: f.keyMark(field) ?? n.mark, hints: [hint])
                }
            } else if f["units"] == nil, f["exec"] == nil, f["container"] == nil, service.name != slurmJobs {
                error(f.path, "a service needs 'units' (existing units to place), 'exec' (a command to run) or 'container' (an image to run)",
                      at: f.node.mark, hints: ["for example units: [nginx.service]", "to confine a slice another manager owns, write existingSlice: kubepods.slice"], breaks: false)
            }
            if f["exec"] != nil, let n = f["container"] {
                error(f.path("container"), "a service runs either 'exec' or 'container', not both", at: f.keyMark("container") ?? n.mark,
                      hints: ["make two services, or run the command inside the container with container.command"])
            }
        case .enclave(let name):
            if f["exec"] == nil {
                error(f.path, "a service in enclave '\(name)' needs 'exec', the program the enclave runs",
                      at: f.node.mark, breaks: false)
            }
            for field in ["container", "existingSlice"] {
                guard let n = f[field] else { continue }
                error(f.path(field), "a service in enclave '\(name)' runs only its 'exec'; \(field == "container" ? "a container runs on Linux" : "a slice stays on Linux")",
                      at: f.keyMark(field) ?? n.mark, hints: ["put it in a Linux service of its own (stack: linux)"])
            }
            if let n = f["units"] {
                error(f.path("units"), "a service in an enclave runs only its 'exec'; units cannot move into an enclave",
                      at: f.keyMark("units") ?? n.mark, hints: ["put these units in a Linux service of their own"])
            }
            if let n = f["memory"] {
                error(f.path("memory"), "a service in an enclave uses the enclave's memory; it has no memory limits",
                      at: f.keyMark("memory") ?? n.mark, hints: ["size the enclave with its 'memory' field"])
            }
        }
    }

    func stack(_ node: YAMLNode, _ path: @autoclosure () -> String) -> ServiceSpec.Stack? {
        guard let s = string(node, path(), what: "'linux' or 'enclave:<name>'") else { return nil }
        if s == "linux" { return .linux }
        if s.hasPrefix("enclave:") {
            let name = String(s.dropFirst("enclave:".count))
            guard !name.isEmpty else {
                error(path(), "'enclave:' needs the enclave's name, as in 'enclave:lwk0'", at: node.mark)
                return nil
            }
            return .enclave(name)
        }
        var hints: [String] = []
        if s.lowercased() == "linux" { hints.append("did you mean 'linux'?") }
        if LayoutReader.dnsLabelProblem(s) == nil, s != "linux" { hints.append("for an enclave write 'enclave:\(s)'") }
        error(path(), "expected 'linux' or 'enclave:<name>', found '\(s)'", at: node.mark, hints: hints)
        return nil
    }

    func units(_ node: YAMLNode, _ path: @autoclosure () -> String) -> [String]? {
        if node.scalar != nil, !node.isNull {
            error(path(), "expected a list of unit names, found \(describe(node))", at: node.mark,
                  hints: ["write a list, even for one unit: [\(node.scalar ?? "")]"])
            return nil
        }
        guard let items = items(node, path(), what: "a list of unit names") else { return nil }
        var units: [String] = []
        for (i, item) in items.enumerated() {
            // Built for a message only: most units have none.
            var itemPath: String { "\(path())[\(i)]" }
            guard let name = string(item, itemPath, what: "a unit name") else { continue }
            if let p = UnitNames.problem(name) {
                error(itemPath, p.message, at: LayoutReader.mark(in: item, offset: p.offset), hints: p.hints)
                continue
            }
            let type = UnitNames.type(of: name) ?? ""
            guard UnitNames.movableTypes.contains(type) else {
                error(itemPath, "a .\(type) unit cannot be placed in a slice", at: item.mark,
                      hints: LayoutReader.unmovableHints(type))
                continue
            }
            units.append(name)
        }
        return units
    }

    static func unmovableHints(_ type: String) -> [String] {
        let movable = "only " + UnitNames.movableTypes.map { "." + $0 }.joined(separator: ", ") + " units run in slices"
        switch type {
        case "timer", "path", "automount": return ["a .\(type) unit only starts another unit; list that unit instead", movable]
        case "target", "device": return ["a .\(type) unit has no processes", movable]
        case "slice": return ["to use this slice for the service, write slice: instead", movable]
        case "scope": return ["a scope gets its slice from whoever creates it and cannot be moved", movable]
        default: return [movable]
        }
    }

    func slice(_ node: YAMLNode, _ path: @autoclosure () -> String) -> String? {
        guard let name = string(node, path(), what: "a slice name") else { return nil }
        if let p = UnitNames.sliceProblem(name) {
            error(path(), p.message, at: LayoutReader.mark(in: node, offset: p.offset), hints: p.hints)
            return nil
        }
        return name
    }

    /// The mark of the character `offset` inside a scalar written on one line.
    static func mark(in node: YAMLNode, offset: Int) -> SourceMark {
        SourceMark(line: node.mark.line, column: node.mark.column + offset + (node.isQuoted ? 1 : 0))
    }

    func tasksMax(_ node: YAMLNode, _ path: @autoclosure () -> String) -> Limit? {
        if case .string(let s, _)? = node.resolvedScalar {
            if s == "infinity" { return .infinity }
            var hints: [String] = []
            if s.hasSuffix("%") { hints.append("percentages are not supported; give a number of tasks") }
            if node.isQuoted, YAMLNode.resolvePlain(s).isInteger {
                hints.append("quotes make \"\(s)\" a string; write \(s) without quotes for a number")
            }
            error(path(), "expected an integer of at least 1 or 'infinity', found \(describe(node))", at: node.mark,
                  hints: hints)
            return nil
        }
        return int(node, path(), in: 1...Int.max, what: "tasksMax").map { .value(UInt64($0)) }
    }
}
