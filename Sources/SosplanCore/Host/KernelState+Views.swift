extension KernelState {
    /// What the planner reads, for the snapshot's fingerprint: not where
    /// the interrupt controller delivers an IRQ right now (the kernel moves
    /// it inside the affinity), nor the irqbalance process's details.
    var planned: KernelState {
        var copy = self
        for i in copy.irqs.indices { copy.irqs[i].effective = nil }
        if let b = copy.irqbalance { copy.irqbalance = IRQBalanceState(running: false, bannedCPUs: nil, sosplanBan: b.sosplanBan) }
        return copy
    }

    /// The arguments of `/proc/cmdline` (split at spaces; the part after
    /// `--` belongs to init and is left out).
    public var bootArgumentsRunning: [String] {
        guard let line = commandLine else { return [] }
        var out: [String] = []
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            if word == "--" { break }
            out.append(String(word))
        }
        return out
    }

    /// IRQs that may still be delivered to `cpus`: movable ones whose
    /// affinity includes one of them, and the ones the kernel will not move
    /// (managed) that land there.
    public func irqs(landingOn cpus: CPUSet) -> (movable: [IRQState], fixed: [IRQState]) {
        var movable: [IRQState] = [], fixed: [IRQState] = []
        for irq in irqs {
            if irq.canMove && !originals.refused(irq) {
                if !irq.affinity.isDisjoint(with: cpus) { movable.append(irq) }
            } else if !irq.landsOn.isDisjoint(with: cpus) {
                fixed.append(irq)
            }
        }
        return (movable, fixed)
    }

    /// True when the kernel is known to refuse moving `irq`.
    public func isFixed(_ irq: IRQState) -> Bool { !irq.canMove || originals.refused(irq) }
}
