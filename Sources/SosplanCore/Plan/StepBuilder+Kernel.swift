/// Kernel noise: the IRQs, the default IRQ affinity and the unbound
/// workqueues of isolated CPUs go to the host's CPUs, and irqbalance is
/// banned from them (or stopped). What sosplan changed and the layout no
/// longer asks for goes back to the value recorded before (`KernelOriginals`).
/// Nothing here when the kernel was not observed, or when the layout asks
/// nothing and sosplan holds nothing: such layouts plan as before.
extension StepBuilder {
    static let kernelPhase = StepDraft.Phase.placeUnits

    mutating func buildKernel() {
        let targets = KernelTargets(layout: layout, placement: placement)
        guard let kernel = snapshot.kernel else {
            if !targets.isolated.isEmpty || !targets.power.isEmpty {
                notes.append("the host's kernel state was not observed (a saved snapshot without it?): no IRQ, workqueue, C-state, frequency or boot-argument step is planned")
            }
            return
        }
        buildIRQAffinity(kernel, targets)
        buildDefaultIRQAffinity(kernel, targets)
        buildWorkqueueMask(kernel, targets)
        buildPower(kernel, targets)
        buildIRQBalance(kernel, targets)
        buildBootArguments(kernel, targets)
    }

    /// One step for every IRQ that changes: on a host with a thousand IRQs
    /// a plan of a thousand steps would say nothing more.
    private mutating func buildIRQAffinity(_ kernel: KernelState, _ t: KernelTargets) {
        var before = PropertyMap(), after = PropertyMap()
        var moved = 0, restored = 0
        var fixedOnIsolated: [IRQState] = []
        for irq in kernel.irqs {
            if kernel.isFixed(irq) {
                if !t.isolated.isEmpty && !irq.landsOn.isDisjoint(with: t.isolated) { fixedOnIsolated.append(irq) }
                continue
            }
            var want: CPUSet?
            if t.steersIRQs && !irq.affinity.isDisjoint(with: t.isolated) {
                want = t.housekeeping
                moved += 1
            } else if let held = kernel.originals.irq(irq.number), held.name == irq.name,
                      !(t.steersIRQs && !held.affinity.isDisjoint(with: t.isolated)) {
                let back = held.affinity.intersection(onlineCPUs)
                if !back.isEmpty && back != irq.affinity {
                    want = back
                    restored += 1
                }
            }
            guard let want, want != irq.affinity else { continue }
            before["irq\(irq.number)"] = .string(irq.affinity.description)
            after["irq\(irq.number)"] = .string(want.description)
        }
        if !fixedOnIsolated.isEmpty {
            let shown = fixedOnIsolated.prefix(6).map(\.label).joined(separator: ", ") + (fixedOnIsolated.count > 6 ? ", ..." : "")
            notes.append(
                "\(fixedOnIsolated.count) IRQ\(fixedOnIsolated.count == 1 ? "" : "s") on isolated CPUs \(t.isolated) cannot be moved (the kernel manages \(fixedOnIsolated.count == 1 ? "its" : "their") affinity): \(shown); isolcpus=managed_irq at boot keeps managed IRQs off them")
        }
        guard !after.isEmpty else { return }
        var parts: [String] = []
        if moved > 0 { parts.append("\(moved) IRQ\(moved == 1 ? "" : "s") off isolated CPUs \(t.isolated) to \(t.housekeeping)") }
        if restored > 0 { parts.append("\(restored) IRQ\(restored == 1 ? "" : "s") back to the affinity before sosplan") }
        addKernelDraft("kernel:irqs", .irqAffinity, .kernel(.irqs), before, after, parts.joined(separator: "; "))
    }

    private mutating func buildDefaultIRQAffinity(_ kernel: KernelState, _ t: KernelTargets) {
        guard let current = kernel.defaultIRQAffinity else { return }
        guard let want = kernelMask(current: current, original: kernel.originals.defaultIRQAffinity, steer: t.steersIRQs, t) else { return }
        addKernelDraft(
            "kernel:irq-default", .irqDefaultAffinity, .kernel(.defaultIRQAffinity), ["affinity": .string(current.description)],
            ["affinity": .string(want.description)],
            t.steersIRQs ? "IRQs set up later avoid isolated CPUs \(t.isolated)" : "back to the default affinity before sosplan")
    }

    private mutating func buildWorkqueueMask(_ kernel: KernelState, _ t: KernelTargets) {
        guard let current = kernel.workqueueMask else {
            if t.steersWorkqueues { notes.append("this kernel has no unbound-workqueue mask (/sys/devices/virtual/workqueue/cpumask): workqueues stay as they are") }
            return
        }
        guard let want = kernelMask(current: current, original: kernel.originals.workqueueMask, steer: t.steersWorkqueues, t) else { return }
        addKernelDraft(
            "kernel:workqueues", .workqueueMask, .kernel(.workqueues), ["cpumask": .string(current.description)],
            ["cpumask": .string(want.description)],
            t.steersWorkqueues ? "unbound kernel work off isolated CPUs \(t.isolated)" : "back to the workqueue mask before sosplan")
    }

    /// A kernel-wide CPU mask: the host's CPUs while it would reach isolated
    /// CPUs, else the value before sosplan (when it is held and putting it
    /// back does not reach them); nil when it stays.
    private func kernelMask(current: CPUSet, original: CPUSet?, steer: Bool, _ t: KernelTargets) -> CPUSet? {
        if steer && !current.isDisjoint(with: t.isolated) { return t.housekeeping }
        guard let original, original != current, !(steer && !original.isDisjoint(with: t.isolated)) else { return nil }
        return original
    }

    /// irqbalance rewrites IRQ affinities every ten seconds: `ban` gives it
    /// the isolated CPUs in `IRQBALANCE_BANNED_CPULIST` through a drop-in,
    /// `stop` stops it; both are undone when nothing is isolated.
    private mutating func buildIRQBalance(_ kernel: KernelState, _ t: KernelTargets) {
        let unitName = KernelObject.irqbalanceUnit
        let unit = observedUnit(unitName)
        let mode = t.isolated.isEmpty ? IsolationSpec.IRQBalance.unchanged : t.isolation.irqbalance
        let currentBan = kernel.irqbalance?.sosplanBan ?? CPUSet()
        let wantBan = mode == .ban ? t.isolated : CPUSet()
        if currentBan != wantBan {
            if !wantBan.isEmpty && (unit == nil || unit?.loadState == "not-found") {
                notes.append(unit == nil
                    ? "systemd was not observed: irqbalance is not banned from isolated CPUs \(t.isolated)"
                    : "\(unitName) is not installed: there is no irqbalance to ban from isolated CPUs \(t.isolated)")
            } else {
                var d = StepDraft(
                    "kernel:irqbalance-ban", .irqbalanceBan, target: .unit(unitName), disruption: .live, phase: Self.kernelPhase, side: .other,
                    reason: wantBan.isEmpty ? "remove sosplan's ban (nothing is isolated)" : "irqbalance leaves isolated CPUs \(wantBan) alone (restarts it if it runs)")
                d.before = ["bannedCPUs": .string(currentBan.description)]
                d.after = ["bannedCPUs": .string(wantBan.description)]
                add(d)
            }
        }
        let active = unit.map { ["active", "activating", "reloading"].contains($0.activeState ?? "") } ?? false
        if mode == .stop && active {
            var d = StepDraft(
                "kernel:irqbalance-stop", .irqbalanceStop, target: .unit(unitName), disruption: .live, phase: Self.kernelPhase,
                side: .other, reason: "irqbalance would move IRQs back onto isolated CPUs \(t.isolated)")
            d.before = ["ActiveState": .string(unit?.activeState ?? "active")]
            d.after = ["ActiveState": .string("inactive")]
            add(d)
        } else if mode != .stop && kernel.originals.irqbalanceStopped == true && unit != nil && !active && unit?.loadState != "not-found" {
            var d = StepDraft(
                "kernel:irqbalance-start", .irqbalanceStart, target: .unit(unitName), disruption: .live, phase: Self.kernelPhase,
                side: .other, reason: "sosplan stopped it; nothing asks for that now")
            d.before = ["ActiveState": .string(unit?.activeState ?? "inactive")]
            d.after = ["ActiveState": .string("active")]
            add(d)
        }
    }

    mutating func addKernelDraft(
        _ key: String, _ action: StepAction, _ target: StepTarget, _ before: PropertyMap, _ after: PropertyMap, _ reason: String,
        disruption: Disruption = .live
    ) {
        var d = StepDraft(key, action, target: target, disruption: disruption, phase: Self.kernelPhase, side: .other, reason: reason)
        d.before = before
        d.after = after
        add(d)
    }
}
