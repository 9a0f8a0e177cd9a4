import SosplanCore
import SosplanDrivers

/// `cpufreq.set`: governor and frequency limits per CPU (through its
/// policy's files; the limits in an order the kernel accepts), read back.
struct CPUFrequencyExecutor: StepExecutor {
    let host: ApplyHost

    struct Setting: Codable, Equatable {
        var governor: String?
        var minimum: Int?
        var maximum: Int?
    }

    struct Prior: Codable {
        var settings: [String: Setting]
        var record: KernelOriginals
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var settings: [String: Setting] = [:]
        for (cpu, _) in try step.objects("cpu") {
            let f = host.kernel.cpuPower.frequency(cpu)
            settings["cpu\(cpu)"] = Setting(governor: f.governor, minimum: f.minimum, maximum: f.maximum)
        }
        var prior = StepPrior()
        try prior.store(Prior(settings: settings, record: KernelRecord(host: host).read()))
        return prior
    }

    private func wanted(_ value: JSONValue) -> Setting {
        Setting(governor: value["governor"]?.stringValue, minimum: value["min"]?.intValue, maximum: value["max"]?.intValue)
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard let before = prior.stored(Prior.self) else { throw StepFailure("step \(step.id): no state recorded before it") }
        var final = before.record
        var targets: [(Int, Setting)] = []
        for (cpu, value) in try step.objects("cpu") {
            let want = wanted(value), now = before.settings["cpu\(cpu)"] ?? Setting()
            if want.governor == nil && want.minimum == nil && want.maximum == nil {
                throw StepFailure("step \(step.id) cpu\(cpu): names no governor, min or max")
            }
            if now.governor == nil && now.maximum == nil { throw StepFailure("CPU \(cpu) has no cpufreq (is it offline?)") }
            var held = before.record.frequency(cpu: cpu) ?? HeldFrequency(cpu: cpu)
            if let g = want.governor { held.governor = KernelOriginals.recorded(held.governor, now: now.governor ?? "", want: g) { $0 } }
            if let m = want.minimum { held.minimum = KernelOriginals.recorded(held.minimum, now: now.minimum ?? 0, want: m) { $0 } }
            if let m = want.maximum { held.maximum = KernelOriginals.recorded(held.maximum, now: now.maximum ?? 0, want: m) { $0 } }
            final.setFrequency(cpu: cpu, held)
            targets.append((cpu, want))
        }
        let record = KernelRecord(host: host)
        try record.save(KernelRecord.merged(before.record, final))
        var changed: [Int] = []
        for (cpu, want) in targets {
            if try set(cpu, want, failing: "cannot set the frequency of CPU \(cpu)") { changed.append(cpu) }
            let f = host.kernel.cpuPower.frequency(cpu)
            var off: [String] = []
            if let g = want.governor, g != f.governor { off.append("governor \(f.governor ?? "nothing"), not \(g)") }
            if let m = want.minimum, m != f.minimum { off.append("min \(f.minimum.map(String.init) ?? "nothing"), not \(m)") }
            if let m = want.maximum, m != f.maximum { off.append("max \(f.maximum.map(String.init) ?? "nothing"), not \(m)") }
            guard off.isEmpty else {
                throw StepFailure("after the change, CPU \(cpu) reports " + off.joined(separator: "; "))
            }
        }
        try record.save(final)
        return StepResult(actions: changed.isEmpty ? [] : ["set the governor and frequency limits of CPUs \(CPUSet(changed))"])
    }

    /// Writes one CPU's settings; true when a file changed.
    private func set(_ cpu: Int, _ s: Setting, failing what: String) throws(StepFailure) -> Bool {
        do {
            let writes = try host.kernel.cpuPower.setFrequency(cpu, governor: s.governor, minimum: s.minimum, maximum: s.maximum)
            host.counts.wrote(writes)
            return writes > 0
        } catch { throw StepFailure("\(what): \(error)") }
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.stored(Prior.self) else { return [] }
        var restored: [Int] = []
        for (key, s) in before.settings.sorted(by: { $0.key < $1.key }) {
            guard let cpu = Int(key.dropFirst(3)) else { continue }
            if try set(cpu, s, failing: "cannot put the frequency settings of CPU \(cpu) back") { restored.append(cpu) }
        }
        try KernelRecord(host: host).save(before.record)
        return restored.isEmpty ? [] : ["put the governor and frequency limits of CPUs \(CPUSet(restored)) back"]
    }
}
