import SosplanCore
import SosplanDrivers

/// `irq.affinity`: the affinity of a set of IRQs in one step. An IRQ the
/// kernel will not move (EIO: its affinity is managed; EPERM: its chip
/// will not retarget it) is reported and
/// remembered, not fought; one that went away meanwhile is skipped. Every
/// IRQ moved is read back.
struct IRQAffinityExecutor: StepExecutor {
    let host: ApplyHost

    struct Prior: Codable {
        /// `irqN` → affinity before the step; IRQs gone are absent.
        var affinity: [String: CPUSet]
        var record: KernelOriginals
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var affinity: [String: CPUSet] = [:]
        for (irq, _) in try step.objects("irq") { affinity["irq\(irq)"] = host.kernel.irqs.affinity(irq) }
        var prior = StepPrior()
        try prior.store(Prior(affinity: affinity, record: KernelRecord(host: host).read()))
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard let before = prior.stored(Prior.self) else { throw StepFailure("step \(step.id): no state recorded before it") }
        let record = KernelRecord(host: host)
        let names = host.kernel.irqs.names()
        var final = before.record
        var wanted: [(Int, CPUSet)] = []
        for (irq, value) in try step.objects("irq") {
            let want = try value.cpuList("step \(step.id) irq\(irq)")
            guard let now = before.affinity["irq\(irq)"] else { continue }
            let held = final.irq(irq)
            final.setIRQ(irq, KernelOriginals.recorded(held?.affinity, now: now, want: want) {
                HeldIRQ(irq: irq, name: held?.name ?? names[irq], affinity: $0)
            })
            wanted.append((irq, want))
        }
        try record.save(KernelRecord.merged(before.record, final))
        var actions: [String] = [], moved: [Int] = [], gone: [Int] = []
        for (irq, want) in wanted {
            let outcome: LinuxIRQs.Outcome
            do { outcome = try host.kernel.irqs.setAffinity(irq, want) } catch {
                if host.kernel.irqs.affinity(irq) == nil { gone.append(irq); continue }
                throw StepFailure("cannot move IRQ \(label(irq, names)) to CPUs \(want): \(error)")
            }
            switch outcome {
            case .unchanged: break
            case .changed:
                host.counts.wrote()
                moved.append(irq)
            case .refused(let why):
                final.setIRQ(irq, before.record.irq(irq))
                final.refusedIRQs.removeAll { $0.irq == irq }
                final.refusedIRQs.append(HeldIRQ(irq: irq, name: names[irq], affinity: before.affinity["irq\(irq)"] ?? CPUSet()))
                final.normalize()
                actions.append("IRQ \(label(irq, names)): the kernel will not move it (\(why)); left on CPUs \(before.affinity["irq\(irq)"] ?? CPUSet())")
            }
        }
        let wrong = moved.filter { irq in host.kernel.irqs.affinity(irq) != wanted.first { $0.0 == irq }?.1 }
        guard wrong.isEmpty else {
            throw StepFailure("after the change, IRQs \(IDSet(wrong)) do not report the affinity written (another writer, or the kernel changed it)")
        }
        for irq in gone { final.setIRQ(irq, nil) }
        try record.save(final)
        if !moved.isEmpty { actions.insert("set the affinity of \(moved.count) IRQ\(moved.count == 1 ? "" : "s") (\(IDSet(moved)))", at: 0) }
        if !gone.isEmpty { actions.append("IRQs \(IDSet(gone)) went away meanwhile") }
        return StepResult(actions: actions)
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.stored(Prior.self) else { return [] }
        var restored: [Int] = []
        for (key, cpus) in before.affinity.sorted(by: { $0.key < $1.key }) {
            guard let irq = Int(key.dropFirst(3)), let now = host.kernel.irqs.affinity(irq), now != cpus else { continue }
            do {
                if try host.kernel.irqs.setAffinity(irq, cpus) == .changed {
                    host.counts.wrote()
                    restored.append(irq)
                }
            } catch { throw StepFailure("cannot put IRQ \(irq) back on CPUs \(cpus): \(error)") }
        }
        try KernelRecord(host: host).save(before.record)
        return restored.isEmpty ? [] : ["put the affinity of IRQs \(IDSet(restored)) back"]
    }

    private func label(_ irq: Int, _ names: [Int: String]) -> String { names[irq].map { "\(irq) (\($0))" } ?? "\(irq)" }
}
