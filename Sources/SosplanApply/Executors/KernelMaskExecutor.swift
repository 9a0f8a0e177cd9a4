import SosplanCore
import SosplanDrivers

/// `irq.default` (`/proc/irq/default_smp_affinity`, for IRQs set up later)
/// and `workqueue.cpumask` (where unbound kernel work may run): one CPU
/// mask each, written in the kernel's hex form and read back.
struct KernelMaskExecutor: StepExecutor {
    let host: ApplyHost

    struct Prior: Codable {
        var mask: CPUSet?
        var record: KernelOriginals
    }

    private func mask(_ step: Step) throws(StepFailure) -> (KernelMask, key: String, what: String, WritableKeyPath<KernelOriginals, CPUSet?>) {
        switch step.action {
        case .irqDefaultAffinity: return (host.kernel.defaultIRQAffinity, "affinity", "the default IRQ affinity", \.defaultIRQAffinity)
        case .workqueueMask: return (host.kernel.workqueueMask, "cpumask", "the unbound-workqueue mask", \.workqueueMask)
        default: throw StepFailure("step \(step.id): \(step.action.rawValue) is not a kernel mask step")
        }
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        let (mask, _, _, _) = try mask(step)
        var prior = StepPrior()
        try prior.store(Prior(mask: mask.current(), record: KernelRecord(host: host).read()))
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        let (mask, key, what, field) = try mask(step)
        guard let before = prior.stored(Prior.self), let now = before.mask else {
            throw StepFailure("\(what) cannot be read on this host (\(mask.write.path))")
        }
        guard let value = step.after[key] else { throw StepFailure("step \(step.id) names no \(key)") }
        let want = try value.cpuList("step \(step.id) \(key)")
        guard want != now else { return StepResult() }
        var final = before.record
        final[keyPath: field] = KernelOriginals.recorded(before.record[keyPath: field], now: now, want: want) { $0 }
        let record = KernelRecord(host: host)
        try record.save(KernelRecord.merged(before.record, final))
        do { try mask.set(want) } catch { throw StepFailure("cannot set \(what) to CPUs \(want): \(error)") }
        host.counts.wrote()
        guard let after = mask.current(), after == want else {
            throw StepFailure("after the change, \(what) reads \(mask.current()?.description ?? "nothing"), not \(want)")
        }
        try record.save(final)
        return StepResult(actions: ["set \(what) to CPUs \(want)"])
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let (mask, _, what, _) = try mask(step)
        guard let before = prior.stored(Prior.self) else { return [] }
        var actions: [String] = []
        if let old = before.mask, mask.current() != old {
            do { try mask.set(old) } catch { throw StepFailure("cannot put \(what) back to CPUs \(old): \(error)") }
            host.counts.wrote()
            actions.append("put \(what) back to CPUs \(old)")
        }
        try KernelRecord(host: host).save(before.record)
        return actions
    }
}
