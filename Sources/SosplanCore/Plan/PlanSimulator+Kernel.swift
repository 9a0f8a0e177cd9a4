/// What the kernel steps leave: the values of their `after`, and sosplan's
/// record of the values before (taken on the first change, dropped when
/// the value is back), as the executors keep it.
extension PlanSimulator {
    func applyKernel(_ step: Step, to s: inout HostSnapshot) {
        guard var k = s.kernel else { return }
        switch step.action {
        case .irqAffinity:
            for (key, value) in step.after.entries {
                guard let n = Int(key.dropFirst(3)), let want = value.stringValue.flatMap({ try? CPUSet(lenientList: $0) }),
                    let i = k.irqs.firstIndex(where: { $0.number == n })
                else { continue }
                let irq = k.irqs[i]
                k.originals.setIRQ(n, KernelOriginals.recorded(k.originals.irq(n)?.affinity, now: irq.affinity, want: want) {
                    HeldIRQ(irq: n, name: irq.name, affinity: $0)
                })
                k.irqs[i].affinity = want
                k.irqs[i].effective = nil
            }
        case .irqDefaultAffinity:
            guard let want = cpus(step.after["affinity"]), let now = k.defaultIRQAffinity else { break }
            k.originals.defaultIRQAffinity = KernelOriginals.recorded(k.originals.defaultIRQAffinity, now: now, want: want) { $0 }
            k.defaultIRQAffinity = want
        case .workqueueMask:
            guard let want = cpus(step.after["cpumask"]), let now = k.workqueueMask else { break }
            k.originals.workqueueMask = KernelOriginals.recorded(k.originals.workqueueMask, now: now, want: want) { $0 }
            k.workqueueMask = want
        case .irqbalanceBan:
            let want = cpus(step.after["bannedCPUs"]) ?? CPUSet()
            var state = k.irqbalance ?? IRQBalanceState()
            state.sosplanBan = want.isEmpty ? nil : want
            k.irqbalance = state
        case .irqbalanceStop, .irqbalanceStart:
            let start = step.action == .irqbalanceStart
            k.originals.irqbalanceStopped = start ? nil : true
            if let i = s.systemd?.units.firstIndex(where: { $0.name == KernelObject.irqbalanceUnit }) {
                s.systemd!.units[i].activeState = start ? "active" : "inactive"
            }
        case .cpuidleSet:
            for (key, value) in step.after.entries {
                guard let cpu = Int(key.dropFirst(3)), let want = cpus(value), let i = k.cpus.firstIndex(where: { $0.cpu == cpu }),
                    let states = k.cpus[i].idleStates
                else { continue }
                let now = k.cpus[i].disabledStates
                k.originals.setIdle(cpu: cpu, KernelOriginals.recorded(k.originals.idle(cpu: cpu).map(\.disabled), now: now, want: want) {
                    HeldIdle(cpu: cpu, disabled: $0)
                })
                k.cpus[i].idleStates = states.map { var st = $0; st.disabled = want.contains($0.index); return st }
            }
        case .cpufreqSet:
            for (key, value) in step.after.entries {
                guard let cpu = Int(key.dropFirst(3)), let i = k.cpus.firstIndex(where: { $0.cpu == cpu }), var f = k.cpus[i].frequency
                else { continue }
                var held = k.originals.frequency(cpu: cpu) ?? HeldFrequency(cpu: cpu)
                if let g = value["governor"]?.stringValue {
                    held.governor = KernelOriginals.recorded(held.governor, now: f.governor ?? "", want: g) { $0 }
                    f.governor = g
                }
                if let m = value["min"]?.intValue {
                    held.minimum = KernelOriginals.recorded(held.minimum, now: f.minimum ?? 0, want: m) { $0 }
                    f.minimum = m
                }
                if let m = value["max"]?.intValue {
                    held.maximum = KernelOriginals.recorded(held.maximum, now: f.maximum ?? 0, want: m) { $0 }
                    f.maximum = m
                }
                k.originals.setFrequency(cpu: cpu, held)
                k.cpus[i].frequency = f
            }
        case .kernelCommandLine:
            let words = (step.after["arguments"]?.stringValue ?? "").split(separator: " ").map(String.init)
            k.bootArguments?.arguments = words
        default:
            return
        }
        s.kernel = k
    }

    private func cpus(_ v: JSONValue?) -> CPUSet? { v?.stringValue.flatMap { try? CPUSet(lenientList: $0) } }
}

extension KernelOriginals {
    /// The record of one value after it changes from `now` to `want`: the
    /// first change keeps `now` (the value before sosplan), a change back to
    /// the recorded value drops the record, anything else keeps it.
    public static func recorded<V: Equatable, R>(_ held: V?, now: V, want: V, _ make: (V) -> R) -> R? {
        if let held { return held == want ? nil : make(held) }
        return now == want ? nil : make(now)
    }
}
