import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// Catches IRQs that reach isolated CPUs between passes: a device hotplugged
/// or a driver reloaded sets up new IRQs (no uevent names them), and
/// irqbalance or an operator may move one back. Every few seconds it reads
/// `/proc/irq/*/smp_affinity_list` (about a millisecond for a thousand
/// IRQs) and reports the movable ones whose affinity includes an isolated
/// CPU of the last applied layout; ones the kernel refused to move are left out.
struct IRQWatch {
    let irqs: LinuxIRQs
    let kernel: KernelDrivers
    /// The isolated CPUs whose IRQs go to the host's (nil: nothing to watch).
    var isolated: CPUSet?

    init(host: ApplyHost) {
        irqs = host.kernel.irqs
        kernel = host.kernel
    }

    /// Learns what to watch from the last applied layout and placement.
    mutating func update(state: StateDirectory) {
        isolated = nil
        guard let applied = AppliedState.read(in: state), let source = applied.layout,
            let layout = LayoutDecoder.decode(source.text, file: source.file).layout
        else { return }
        let targets = KernelTargets(layout: layout, placement: applied.plan.placement)
        isolated = targets.steersIRQs ? targets.isolated : nil
    }

    /// IRQs (`24 (ACPI:Ged)`) that may run on the isolated CPUs and could be moved.
    func offending() -> [String] {
        guard let isolated else { return [] }
        let record = kernel.record()
        var names: [Int: String]?
        var out: [String] = []
        for n in irqs.numbers() {
            guard let affinity = irqs.affinity(n), !affinity.isDisjoint(with: isolated) else { continue }
            if names == nil { names = irqs.names() }
            let irq = IRQState(number: n, name: names?[n], affinity: affinity)
            guard !record.refused(irq) else { continue }
            out.append(irq.label)
        }
        return out
    }
}
