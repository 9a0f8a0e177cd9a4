/// The human plan: a Terraform-style summary line first, disruptive steps
/// flagged at the top, then every step with `+ ~ -` and before → after,
/// the placement and the notes. Deterministic (golden-tested).
public enum PlanFormatter {
    public static func text(_ plan: Plan) -> String {
        var out: [String] = []
        let s = plan.summary
        if plan.changes {
            out.append("Plan for \(e(plan.layout)): \(s.add) to add, \(s.change) to change, \(s.destroy) to destroy.")
        } else {
            out.append("No changes for \(e(plan.layout)): the host matches the layout.")
        }
        let disruptive = plan.steps.filter { $0.disruption >= .restart }
        if !disruptive.isEmpty {
            out.append("")
            out.append("Disruptive steps (review them before applying):")
            for step in disruptive {
                out.append("  ! \(e(step.id)) \(step.disruption.rawValue): \(step.action.rawValue) \(e(step.target.description))" + (step.reason.map { " (\(e($0)))" } ?? ""))
            }
        }
        if !plan.steps.isEmpty {
            out.append("")
            out.append("Steps:")
            for step in plan.steps { out += lines(step) }
        }
        out.append("")
        out += placementLines(plan.placement)
        if !plan.notes.isEmpty {
            out.append("")
            out.append("Notes:")
            for note in plan.notes { out.append("  - \(e(note))") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func symbol(_ action: StepAction) -> String {
        switch action.effect {
        case .add: return "+"
        case .destroy: return "-"
        case .change: return "~"
        }
    }

    static func lines(_ step: Step) -> [String] {
        var out = ["  \(symbol(step.action)) \(e(step.id)) \(step.action.rawValue) \(e(step.target.description)) [\(step.disruption.rawValue)]" + (step.reason.map { "  # \(e($0))" } ?? "")]
        let keys = step.before.keys + step.after.keys.filter { !step.before.keys.contains($0) }
        for key in keys {
            let b = step.before[key], a = step.after[key]
            // A new unit shows what it sets, not systemd's defaults.
            if step.before.isEmpty, let a, isDefault(key, a) { continue }
            switch (b, a) {
            case let (b?, a?) where step.action == .unitRelease && a.isNull:
                out.append("      \(e(key)): \(value(key, b)) → (its own)")
            case let (b?, a?): out.append("      \(e(key)): \(value(key, b)) → \(value(key, a))")
            case let (nil, a?): out.append("      \(e(key)): \(value(key, a))")
            case let (b?, nil): out.append("      \(e(key)): \(value(key, b)) → (removed)")
            default: break
            }
        }
        if !step.dependsOn.isEmpty { out.append("      after \(e(step.dependsOn.joined(separator: ", ")))") }
        return out
    }

    /// A property value as a person reads it: sizes with units, memory as
    /// `32Gi@1`, empty CPU lists as `(all)`.
    static func isDefault(_ key: String, _ v: JSONValue) -> Bool {
        switch v {
        case .null: return true
        case .string(let s): return s == "infinity"
        case .uint(0), .int(0): return key == "MemoryMin" || key == "MemoryLow"
        default: return false
        }
    }

    static func value(_ key: String, _ v: JSONValue) -> String {
        switch v {
        case .null: return key == "Slice" ? "(not observed)" : "(unset)"
        case .string(let s) where s.isEmpty: return key.hasPrefix("Allowed") ? "(all)" : "\"\""
        case .string(let s): return e(s)
        case .uint, .int:
            if key.hasPrefix("Memory"), let n = v.uint64Value { return ByteSize(n).description }
            return JSONWriter.compact(v)
        case .array(let items) where key.lowercased().contains("memory"):
            let chunks = StepBuilder.memoryChunks(v)
            return chunks.isEmpty && items.isEmpty ? "(none)" : chunks.map { "\(ByteSize($0.bytes))@\($0.node)" }.joined(separator: ",")
        default: return JSONWriter.compact(v).replacingText(",", with: ", ")
        }
    }

    static func placementLines(_ p: Placement) -> [String] {
        var rows: [(String, String, String)] = []
        rows.append(("host", p.host.cpus.description, "memory nodes \(nodes(p.host.memoryNodes))"))
        rows.append(("shared pool", p.shared.cpus.description, ""))
        for e in p.enclaves {
            let mem = e.value.memory.map { "\(ByteSize($0.bytes))@\($0.node)" }.joined(separator: ",")
            rows.append(("enclave \(Self.e(e.name))", e.value.cpus.description, "memory \(mem.isEmpty ? "(none)" : mem)" + near(e.value.near)))
        }
        for s in p.services {
            rows.append(("service \(e(s.name))", s.value.shared ? "shared" : s.value.cpus.description,
                         "memory nodes \(nodes(s.value.memoryNodes))" + memoryChoice(s.value) + near(s.value.near)))
        }
        let w0 = rows.map(\.0.count).max() ?? 0
        let w1 = rows.map { $0.1.isEmpty ? 6 : $0.1.count }.max() ?? 0
        var out = ["Placement:"]
        for (name, cpus, extra) in rows {
            let c = cpus.isEmpty ? "(none)" : cpus
            let line = "  " + name.padding(w0) + "  cpus " + c.padding(w1) + (extra.isEmpty ? "" : "  " + extra)
            // Trailing spaces off, on bytes (a space followed by a combining
            // mark ends in the mark's bytes, so it stays, as a Character would).
            var bytes = line.utf8[...]
            while bytes.last == UInt8(ascii: " ") { bytes = bytes.dropLast() }
            out.append(String(decoding: bytes, as: UTF8.self))
        }
        for h in p.hugepages {
            out.append("  hugepages \(ByteSize(h.sizeBytes))@node\(h.node): \(h.count)")
        }
        return out
    }

    /// Every name and value from the plan (a saved one is any file) is
    /// shown escaped: the text goes to a terminal.
    static func e(_ s: String) -> String { ControlCharacters.escaped(s) }

    private static func nodes(_ s: CPUSet) -> String { s.isEmpty ? "any" : s.description }

    /// ` (hbm, interleave over 2,4)`: what drove the memory nodes.
    static func memoryChoice(_ s: ServicePlacement) -> String {
        var parts: [String] = []
        if let tier = s.memoryTier { parts.append(tier.rawValue) }
        if let policy = s.memoryPolicy { parts.append("\(policy.rawValue) \(s.policyNodes.map { "on \($0)" } ?? "")".trimmingASCIIWhitespace()) }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    /// `  near mlx5_0 (node 1)`, with `not met` when best-effort placed it elsewhere.
    static func near(_ devices: [NearPlacement]?) -> String {
        guard let devices, !devices.isEmpty else { return "" }
        return "  near " + devices.map { d in
            let nodes = d.nodes.count == 1 ? "node \(d.nodes)" : "nodes \(d.nodes)"
            return "\(e(d.device)) (\(nodes)\(d.met ? "" : ", not met"))"
        }.joined(separator: ", ")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
