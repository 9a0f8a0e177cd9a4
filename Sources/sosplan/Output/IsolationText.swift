import SosplanCore

/// What `observe`, `show` and `status` say about kernel noise and power:
/// the IRQs and workqueues, what still lands on isolated CPUs, C-states and
/// frequency, and what sosplan changed. Names from drivers are printable
/// ASCII already (the probe keeps them so).
enum IsolationText {
    /// `observe`'s rows; nothing for a snapshot without IRQs or a record
    /// (a copy of `/sys` alone), so such summaries read as before.
    static func observeRows(_ snapshot: HostSnapshot) -> [(String, String)] {
        guard let k = snapshot.kernel, !k.irqs.isEmpty || !k.originals.isEmpty else { return [] }
        var rows: [(String, String)] = []
        let fixed = k.irqs.filter { k.isFixed($0) }
        var irqs = "\(k.irqs.count)"
        if !fixed.isEmpty { irqs += " · the kernel will not move \(fixed.count): " + labels(fixed) }
        rows.append(("IRQs", irqs))
        for (cpus, list) in byAffinity(k.irqs.filter { !k.isFixed($0) }) { rows.append(("", "on CPUs \(cpus): \(list)")) }
        rows.append(("IRQ default", k.defaultIRQAffinity.map { "CPUs \($0)" } ?? "unknown"))
        rows.append(("workqueues", k.workqueueMask.map { "CPUs \($0)" } ?? "no unbound-workqueue mask"))
        rows.append(("irqbalance", irqbalance(k.irqbalance)))
        rows += powerRows(k)
        if let b = k.bootArguments {
            rows.append(("next boot", b.arguments.isEmpty ? "sosplan adds nothing (\(b.path))" : b.arguments.joined(separator: " ") + " (\(b.path))"))
        }
        let held = k.originals
        var parts: [String] = []
        if !held.irqs.isEmpty { parts.append("\(held.irqs.count) IRQ affinit\(held.irqs.count == 1 ? "y" : "ies")") }
        if held.defaultIRQAffinity != nil { parts.append("the default IRQ affinity") }
        if held.workqueueMask != nil { parts.append("the workqueue mask") }
        if held.irqbalanceStopped == true { parts.append("irqbalance stopped") }
        if !held.idle.isEmpty { parts.append("C-states of CPUs \(CPUSet(held.idle.map(\.cpu)))") }
        if !held.frequency.isEmpty { parts.append("frequency of CPUs \(CPUSet(held.frequency.map(\.cpu)))") }
        rows.append(("sosplan holds", parts.isEmpty ? "nothing" : parts.joined(separator: ", ")))
        return rows
    }

    /// IRQs grouped by the CPUs they may run on.
    static func byAffinity(_ irqs: [IRQState]) -> [(CPUSet, String)] {
        var groups: [CPUSet: [IRQState]] = [:]
        for irq in irqs { groups[irq.affinity, default: []].append(irq) }
        return groups.sorted { ($0.key.first ?? -1, $0.key.count) < ($1.key.first ?? -1, $1.key.count) }.map { ($0.key, labels($0.value)) }
    }

    static func labels(_ irqs: [IRQState], limit: Int = 8) -> String {
        irqs.prefix(limit).map(\.label).joined(separator: ", ") + (irqs.count > limit ? ", and \(irqs.count - limit) more" : "")
    }

    static func irqbalance(_ b: IRQBalanceState?) -> String {
        guard let b else { return "not running" }
        var parts = [b.running ? "running" : "not running"]
        if let banned = b.bannedCPUs { parts.append("banned CPUs \(banned)") }
        if let ban = b.sosplanBan { parts.append("sosplan's drop-in bans \(ban.isEmpty ? "nothing" : ban.description)") }
        return parts.joined(separator: " · ")
    }

    static func powerRows(_ k: KernelState) -> [(String, String)] {
        var idle: [String: [Int]] = [:], freq: [String: [Int]] = [:]
        for cpu in k.cpus {
            if let states = cpu.idleStates {
                let text = states.map { "\($0.name) \($0.latency)us\($0.disabled ? " (off)" : "")" }.joined(separator: ", ")
                idle[text.isEmpty ? "none" : text, default: []].append(cpu.cpu)
            }
            if let f = cpu.frequency {
                freq["\(f.governor ?? "?") \(FrequencyText.range(f.minimum, f.maximum)) of \(FrequencyText.range(f.hardwareMinimum, f.hardwareMaximum))", default: []].append(cpu.cpu)
            }
        }
        var rows: [(String, String)] = []
        for (text, cpus) in idle.sorted(by: { $0.value.first! < $1.value.first! }) { rows.append((rows.isEmpty ? "C-states" : "", "CPUs \(CPUSet(cpus)): \(text)")) }
        var first = true
        for (text, cpus) in freq.sorted(by: { $0.value.first! < $1.value.first! }) {
            rows.append((first ? "cpufreq" : "", "CPUs \(CPUSet(cpus)): \(text)"))
            first = false
        }
        return rows
    }

    /// `show`'s lines for the isolated CPUs of a layout as placed: what may
    /// still run there.
    static func showLines(layout: HostLayout, placement: Placement, now: HostSnapshot) -> String {
        guard let s = IsolationStatus.of(layout: layout, placement: placement, now: now) else { return "" }
        var out = "Isolated CPUs \(s.isolatedCPUs):\n"
        out += "  movable IRQs that may run there: " + (s.movableIRQs.isEmpty ? "none" : s.movableIRQs.joined(separator: ", ")) + "\n"
        out += "  IRQs the kernel will not move: " + (s.fixedIRQs.isEmpty ? "none" : s.fixedIRQs.joined(separator: ", ")) + "\n"
        out += "  unbound workqueues: " + (s.workqueuesReach ? "may run there" : "kept off") + "\n"
        return out
    }

    static func statusLine(_ s: IsolationStatus) -> String {
        "Isolated CPUs \(s.isolatedCPUs): \(s.movableIRQs.count) movable IRQ\(s.movableIRQs.count == 1 ? "" : "s") may run there, "
            + "\(s.fixedIRQs.count) the kernel will not move\(s.workqueuesReach ? ", unbound workqueues too" : "")\n"
    }
}
