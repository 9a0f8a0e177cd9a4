import SosplanCore
import SosplanDrivers

/// `cpuidle.set`: exactly the listed C-states disabled on each CPU
/// (`cpuN/cpuidle/stateK/disable`), the others enabled; read back.
struct CPUIdleExecutor: StepExecutor {
    let host: ApplyHost

    struct Prior: Codable {
        /// `cpuN` → the states disabled before; CPUs without cpuidle are absent.
        var disabled: [String: IDSet]
        var record: KernelOriginals
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var disabled: [String: IDSet] = [:]
        for (cpu, _) in try step.objects("cpu") { disabled["cpu\(cpu)"] = host.kernel.cpuPower.disabledStates(cpu) }
        var prior = StepPrior()
        try prior.store(Prior(disabled: disabled, record: KernelRecord(host: host).read()))
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard let before = prior.stored(Prior.self) else { throw StepFailure("step \(step.id): no state recorded before it") }
        var final = before.record
        var wanted: [(Int, IDSet)] = []
        for (cpu, value) in try step.objects("cpu") {
            let want = try value.cpuList("step \(step.id) cpu\(cpu)")
            guard let now = before.disabled["cpu\(cpu)"] else {
                throw StepFailure("CPU \(cpu) has no cpuidle states (is it offline?)")
            }
            final.setIdle(cpu: cpu, KernelOriginals.recorded(before.record.idle(cpu: cpu)?.disabled, now: now, want: want) {
                HeldIdle(cpu: cpu, disabled: $0)
            })
            wanted.append((cpu, want))
        }
        let record = KernelRecord(host: host)
        try record.save(KernelRecord.merged(before.record, final))
        var changed: [Int] = []
        for (cpu, want) in wanted {
            do {
                let writes = try host.kernel.cpuPower.setDisabledStates(cpu, want)
                if writes > 0 {
                    host.counts.wrote(writes)
                    changed.append(cpu)
                }
            } catch { throw StepFailure("cannot set the C-states of CPU \(cpu): \(error)") }
            guard host.kernel.cpuPower.disabledStates(cpu) == want else {
                throw StepFailure("after the change, CPU \(cpu) has C-states \(host.kernel.cpuPower.disabledStates(cpu)?.description ?? "?") disabled, not \(want)")
            }
        }
        try record.save(final)
        return StepResult(actions: changed.isEmpty ? [] : ["set the C-states of CPUs \(CPUSet(changed))"])
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.stored(Prior.self) else { return [] }
        var restored: [Int] = []
        for (key, disabled) in before.disabled.sorted(by: { $0.key < $1.key }) {
            guard let cpu = Int(key.dropFirst(3)) else { continue }
            do {
                let writes = try host.kernel.cpuPower.setDisabledStates(cpu, disabled)
                if writes > 0 {
                    host.counts.wrote(writes)
                    restored.append(cpu)
                }
            } catch { throw StepFailure("cannot put the C-states of CPU \(cpu) back: \(error)") }
        }
        try KernelRecord(host: host).save(before.record)
        return restored.isEmpty ? [] : ["put the C-states of CPUs \(CPUSet(restored)) back"]
    }
}
