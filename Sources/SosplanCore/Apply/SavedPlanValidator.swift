/// The rules every step of a saved plan must keep, checked with the same
/// validators planning uses, before anything else looks at the plan: ids
/// unique and well-formed, dependencies on earlier steps only (so there is
/// no cycle and no missing step), each target the kind of object its
/// action changes (a slice that is not systemd's own, sosplan's own
/// services, `cpu:`, `hugepages:`, `enclave:`, `file:` targets as the
/// planner writes them), counts and sizes a host can have, and no control character in
/// any value that would go into a unit file or a tool's argument vector.
///
/// This alone does not make a plan one sosplan would make (that is the
/// apply path's rule: it plans the carried layout again and compares); it
/// gives a hand-made or damaged plan a message that names what is wrong.
public enum SavedPlanValidator {
    /// Every problem, as `steps[N].field: what is wrong`; empty for a plan
    /// whose steps keep the rules. At most `limit` problems.
    public static func problems(_ plan: Plan, limit: Int = 20) -> [String] {
        var out: [String] = []
        func problem(_ s: String) { if out.count < limit { out.append(s) } }
        if plan.schema != Plan.schemaID {
            problem("schema: '\(ControlCharacters.shown(plan.schema))' is not '\(Plan.schemaID)'")
        }
        if plan.changes == plan.steps.isEmpty {
            problem("changes: \(plan.changes) with \(plan.steps.count) step(s); expected \(!plan.steps.isEmpty)")
        }
        let summary = PlanSummary(steps: plan.steps)
        if plan.summary != summary {
            problem("summary: \(plan.summary.add)/\(plan.summary.change)/\(plan.summary.destroy) does not count the steps; "
                + "expected add \(summary.add), change \(summary.change), destroy \(summary.destroy)")
        }
        if let source = plan.layoutSource, !source.isIntact {
            problem("layoutSource.sha256: is not the SHA-256 of layoutSource.text (one was edited without the other)")
        }
        if let prior = plan.priorSnapshot {
            if prior.fingerprint != plan.snapshotFingerprint || prior.computeFingerprint() != prior.fingerprint {
                problem("snapshotFingerprint: is not the fingerprint of the snapshot the plan carries (priorSnapshot); "
                    + "one of them was edited")
            }
        }
        var position: [String: Int] = [:]
        for (i, step) in plan.steps.enumerated() {
            let path = "steps[\(i)]"
            if let why = idProblem(step.id) { problem("\(path).id: \(why)") }
            if let first = position[step.id] {
                problem("\(path).id: '\(ControlCharacters.shown(step.id))' is the id of steps[\(first)] as well; step ids are unique")
            } else {
                position[step.id] = i
            }
            for dependency in step.dependsOn {
                guard let at = position[dependency] else {
                    let later = plan.steps.indices.contains { $0 > i && plan.steps[$0].id == dependency }
                    problem("\(path).dependsOn: '\(ControlCharacters.shown(dependency))' "
                        + (later ? "is a later step; a step waits only for earlier ones (no cycles)" : "names no step of the plan"))
                    continue
                }
                if at == i { problem("\(path).dependsOn: a step cannot wait for itself") }
            }
            if let why = targetProblem(step) { problem("\(path).target: \(why)") }
            for (side, map) in [("before", step.before), ("after", step.after)] {
                for why in valueProblems(map, step: step) { problem("\(path).\(side).\(why)") }
            }
            if let reason = step.reason, let bad = ControlCharacters.problem(in: reason, wording: .commandLine) {
                problem("\(path).reason: contains \(bad.reason)")
            }
        }
        return out
    }

    /// Ids as the planner writes them (`s1`, `s2`...): short, printable.
    static func idProblem(_ id: String) -> String? {
        guard !id.isEmpty else { return "is empty; expected a step id such as 's1'" }
        guard id.utf8.count <= 32, id.utf8.allSatisfy({ isWordByte($0) }) else {
            return "'\(ControlCharacters.shown(id, limit: 40))' is not a step id; expected letters, digits, '-', '_' or '.' (at most 32)"
        }
        return nil
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x2D || b == 0x5F || b == 0x2E
    }

    /// What is wrong with the step's target for its action. The target was
    /// parsed by kind when the plan was decoded (`StepTarget.parse`; a target
    /// of the wrong kind is a shape problem); here its value is checked.
    static func targetProblem(_ step: Step) -> String? {
        let shown = "'\(ControlCharacters.shown(step.target.description))'"
        switch step.target {
        case .unit(let t):
            switch step.action {
            case .sliceCreate, .sliceUpdate, .sliceRemove:
                return UnitNames.sliceProblem(t).map { _ in "\(shown) is not a slice sosplan may change; expected a slice of a service (sosplan-<name>.slice)" }
            case .unitCreate, .unitUpdate, .unitRemove, .containerCreate, .containerUpdate, .containerRemove:
                if UnitNames.problem(t) == nil, step.target.ownUnitService != nil { return nil }
                return "\(shown) is not a service sosplan makes; expected sosplan-<name>.service"
            default:
                if let p = UnitNames.problem(t) { return "\(shown) is not a unit name: \(ControlCharacters.escaped(p.message))" }
                guard let type = UnitNames.type(of: t), UnitNames.movableTypes.contains(type) else {
                    return "\(shown) is not a unit sosplan can move into a slice; expected a "
                        + UnitNames.movableTypes.map { "." + $0 }.joined(separator: ", ") + " unit"
                }
                return nil
            }
        case .host:
            return nil
        case .cpus(let set):
            return listProblem(set, shown: shown, prefix: "cpu:", what: "CPU", limit: CPUSet.maximumObservedID)
        case .memoryBlocks(let set):
            return listProblem(set, shown: shown, prefix: "memory:", what: "memory block", limit: CPUSet.maximumID)
        case .hugepages(let h):
            guard h.sizeBytes >= 4096, h.sizeBytes <= 16 << 30, h.sizeBytes & (h.sizeBytes - 1) == 0,
                h.node <= HostSnapshot.maximumNodeID
            else {
                return "\(shown) is not a hugepage pool; expected hugepages:<size>@node<N> (a power of two from 4Ki to 16Gi, "
                    + "a node up to \(HostSnapshot.maximumNodeID))"
            }
            return nil
        case .enclave(let enclave):
            return enclaveTargetProblem(enclave, shown: shown)
        case .file(let path):
            // Only the kubelet's CPU manager state is ever removed (and written back on undo).
            guard StepTarget.absolutePath(path) != nil, path.hasSuffix("/" + KubeletObservation.cpuManagerStateFileName) else {
                return "\(shown) is not a kubelet CPU manager state file; expected file:<absolute path>/"
                    + KubeletObservation.cpuManagerStateFileName
            }
            return nil
        case .kernel:
            // Parsing took only the one object of the step's action.
            return nil
        case .slurmNode:
            // Parsing took only a Slurm node name; the line itself is parsed again by its executor.
            return nil
        }
    }

    static func listProblem(_ set: CPUSet, shown: String, prefix: String, what: String, limit: Int) -> String? {
        guard !set.isEmpty, (set.last ?? 0) <= limit else {
            return "\(shown) is not a \(prefix)<list> target; expected \(what)s such as '\(prefix)4-7' (up to \(limit))"
        }
        return nil
    }

    /// `enclave:<name>` (a DNS label, as in layouts), or
    /// `enclave:<driver>:<instance>` for an instance without a name.
    static func enclaveTargetProblem(_ enclave: StepTarget.Enclave, shown: String) -> String? {
        let expected = "expected enclave:<name> or enclave:<driver>:<instance>"
        switch enclave {
        case .instance(_, let handle):
            guard !handle.isEmpty, handle.utf8.count <= 64, handle.utf8.allSatisfy({ isWordByte($0) }) else {
                return "\(shown) does not name a driver's instance; \(expected)"
            }
            return nil
        case .named(let name):
            do { try EnclaveText.checkName(name) } catch { return "\(shown): the name \(error.reason); \(expected)" }
            return nil
        }
    }

    /// Property names systemd could have, and values without control
    /// characters; counts and sizes a host can hold; `ExecStart` led by an
    /// absolute program (no prefix character can lead the line).
    static func valueProblems(_ map: PropertyMap, step: Step) -> [String] {
        var out: [String] = []
        for (key, value) in map.entries {
            guard !key.isEmpty, key.utf8.count <= 64, key.utf8.allSatisfy({ isWordByte($0) && $0 != 0x2E }) else {
                out.append("\(ControlCharacters.shown(key, limit: 40)): not a property name; expected letters and digits")
                continue
            }
            if let bad = firstControlCharacter(in: value) {
                out.append("\(key): contains \(bad); a value is written into a unit file or a tool's arguments")
            }
            if let n = value.int64Value, n < 0 { out.append("\(key): \(n) is negative") }
            if key == "count", case .hugepages(let h) = step.target {
                guard let n = value.uint64Value, n <= HostSnapshot.maximumMemoryBytes / max(h.sizeBytes, 1) else {
                    out.append("count: \(ControlCharacters.shown(JSONWriter.compact(value))) pages of \(ByteSize(h.sizeBytes)) is more than any host has (at most 1 PiB)")
                    continue
                }
            }
            if key == "ExecStart", !value.isNull {
                let argv = value.arrayValue?.compactMap(\.stringValue) ?? []
                if argv.count != value.arrayValue?.count ?? -1 || argv.isEmpty || !(argv.first?.hasPrefix("/") ?? false) {
                    out.append("ExecStart: expected a list of strings led by an absolute program path")
                }
            }
        }
        return out
    }

    /// The first control character in any string inside `v`, named.
    static func firstControlCharacter(in v: JSONValue) -> String? {
        switch v {
        case .string(let s): return ControlCharacters.problem(in: s, wording: .unitFile).map(\.reason)
        case .array(let items):
            for item in items { if let bad = firstControlCharacter(in: item) { return bad } }
            return nil
        case .object(let members):
            for (k, item) in members {
                if let bad = ControlCharacters.problem(in: k, wording: .unitFile) { return bad.reason }
                if let bad = firstControlCharacter(in: item) { return bad }
            }
            return nil
        default: return nil
        }
    }
}
