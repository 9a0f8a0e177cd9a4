/// CPU power classes: C-states above `maxIdleLatency` disabled, the
/// governor and frequency limits, per owner; CPUs whose class is gone get
/// back what they had before sosplan. One `cpuidle.set` and one
/// `cpufreq.set` step per owner. A class that this host cannot give (no
/// such governor, a frequency outside the hardware's range, CPUs of one
/// cpufreq policy asked for different things) is an error at the layout's line.
extension StepBuilder {
    mutating func buildPower(_ kernel: KernelState, _ t: KernelTargets) {
        var idle: [String: (before: PropertyMap, after: PropertyMap, cpus: CPUSet, why: [String], enclave: String?)] = [:]
        var freq: [String: (before: PropertyMap, after: PropertyMap, cpus: CPUSet, enclave: String?)] = [:]
        var owners: [String] = []
        var wantedFrequency: [Int: [String: JSONValue]] = [:]
        for state in kernel.cpus where onlineCPUs.contains(state.cpu) {
            let cpu = state.cpu
            let cls = t.power[cpu]
            let owner = cls?.owner ?? "released"
            if let states = state.idleStates {
                var want: IDSet?
                var why: [String] = []
                if let latency = cls?.power.maxIdleLatency {
                    let slow = states.filter { latency.excludes(latencyMicroseconds: $0.latency) }
                    want = IDSet(slow.map(\.index))
                    why = slow.map { "\($0.name) (\($0.latency)us)" }
                } else if let held = kernel.originals.idle(cpu: cpu) {
                    want = held.disabled
                }
                if let want, want != state.disabledStates {
                    if idle[owner] == nil { owners.append(owner) }
                    var entry = idle[owner] ?? (PropertyMap(), PropertyMap(), CPUSet(), [], cls?.enclave)
                    entry.before["cpu\(cpu)"] = .string(state.disabledStates.description)
                    entry.after["cpu\(cpu)"] = .string(want.description)
                    entry.cpus.insert(cpu)
                    for w in why where !entry.why.contains(w) { entry.why.append(w) }
                    idle[owner] = entry
                }
            }
            guard let want = frequencyWanted(state, cls, kernel.originals.frequency(cpu: cpu)), !want.isEmpty else { continue }
            let current = state.frequency
            var before: [(String, JSONValue)] = [], after: [(String, JSONValue)] = []
            for (key, value) in want.sorted(by: { $0.key < $1.key }) {
                let now: JSONValue = key == "governor" ? current?.governor.map(JSONValue.string) ?? .null
                    : (key == "min" ? current?.minimum : current?.maximum).map { .int($0) } ?? .null
                if now != value {
                    before.append((key, now))
                    after.append((key, value))
                }
            }
            wantedFrequency[cpu] = want
            guard !after.isEmpty else { continue }
            if freq[owner] == nil && idle[owner] == nil && !owners.contains(owner) { owners.append(owner) }
            var entry = freq[owner] ?? (PropertyMap(), PropertyMap(), CPUSet(), cls?.enclave)
            entry.before["cpu\(cpu)"] = .object(before)
            entry.after["cpu\(cpu)"] = .object(after)
            entry.cpus.insert(cpu)
            freq[owner] = entry
        }
        checkSharedPolicies(kernel, wantedFrequency, t)
        for owner in owners {
            let label = owner == "released" ? "CPUs no class asks for: back to the values before sosplan" : owner
            if let e = idle[owner] {
                let key = "power:idle:\(owner)"
                let reason = owner == "released" ? label
                    : (e.why.isEmpty ? "\(label): every C-state within its maxIdleLatency" : "\(label): C-states \(e.why.joined(separator: ", ")) off")
                addPowerDraft(key, .cpuidleSet, e.cpus, e.before, e.after, reason, enclave: e.enclave)
            }
            if let e = freq[owner] {
                addPowerDraft("power:freq:\(owner)", .cpufreqSet, e.cpus, e.before, e.after, "\(label): governor and frequency", enclave: e.enclave)
            }
        }
    }

    /// A class's CPUs of an enclave are set while Linux still runs them:
    /// before the enclave step takes them.
    private mutating func addPowerDraft(
        _ key: String, _ action: StepAction, _ cpus: CPUSet, _ before: PropertyMap, _ after: PropertyMap, _ reason: String, enclave: String?
    ) {
        addKernelDraft(key, action, .cpus(cpus), before, after, reason)
        if let enclave, let step = enclaveReadyStep[enclave] { order(key, before: step) }
    }

    /// The governor and limits one CPU should have (kHz); a value the
    /// class does not set comes back from the record of what sosplan changed.
    private mutating func frequencyWanted(
        _ state: CPUPowerState, _ cls: (owner: String, power: PowerClass, enclave: String?)?, _ held: HeldFrequency?
    ) -> [String: JSONValue]? {
        var want: [String: JSONValue] = [:]
        let power = cls?.power
        guard let f = state.frequency else {
            if let power, power.setsFrequency, reportedPowerProblems.insert("\(cls!.owner)|cpufreq").inserted {
                diagnostics.append(.error(
                    "CPU \(state.cpu) (\(cls!.owner)) has no cpufreq: this host cannot set a governor or frequency limits",
                    file: layout.file, at: power.marks["governor"] ?? power.marks["frequency"] ?? power.marks[""],
                    hints: ["remove governor and frequency, or load a frequency scaling driver (acpi-cpufreq, intel_pstate, amd-pstate)"]))
            }
            return nil
        }
        if let g = power?.governor {
            if !f.governors.isEmpty && !f.governors.contains(g) {
                guard reportedPowerProblems.insert("\(cls!.owner)|governor").inserted else { return nil }
                diagnostics.append(.error(
                    "governor '\(g)' is not available on CPU \(state.cpu) (\(cls!.owner))", file: layout.file, at: power!.marks["governor"],
                    hints: ["available: " + f.governors.joined(separator: ", ")]))
                return nil
            }
            want["governor"] = .string(g)
        } else if let g = held?.governor {
            want["governor"] = .string(g)
        }
        let low = power?.minFrequency?.resolved(low: f.hardwareMinimum, high: f.hardwareMaximum)
        let high = power?.maxFrequency?.resolved(low: f.hardwareMinimum, high: f.hardwareMaximum)
        for (key, value, mark) in [("min", low, "frequency.min"), ("max", high, "frequency.max")] {
            guard let value else { continue }
            if let lo = f.hardwareMinimum, let hi = f.hardwareMaximum, value < lo || value > hi {
                guard reportedPowerProblems.insert("\(cls!.owner)|\(key)").inserted else { return nil }
                diagnostics.append(.error(
                    "\(FrequencyText.kHz(value)) is outside what CPU \(state.cpu) can run at (\(FrequencyText.range(lo, hi)))",
                    file: layout.file, at: power!.marks[mark], hints: ["write min or max for the hardware's limits"]))
                return nil
            }
            want[key] = .int(value)
        }
        if let lo = low, let hi = high, lo > hi {
            guard reportedPowerProblems.insert("\(cls!.owner)|range").inserted else { return nil }
            diagnostics.append(.error(
                "on CPU \(state.cpu) the lowest frequency (\(FrequencyText.kHz(lo))) would be above the highest (\(FrequencyText.kHz(hi)))",
                file: layout.file, at: power!.marks["frequency"]))
            return nil
        }
        if low == nil, let m = held?.minimum { want["min"] = .int(m) }
        if high == nil, let m = held?.maximum { want["max"] = .int(m) }
        return want
    }

    /// One cpufreq policy drives all its CPUs: they must want the same.
    private mutating func checkSharedPolicies(_ kernel: KernelState, _ wanted: [Int: [String: JSONValue]], _ t: KernelTargets) {
        var seen = Set<CPUSet>()
        for state in kernel.cpus {
            guard let policy = state.frequency?.policyCPUs, policy.count > 1, seen.insert(policy).inserted else { continue }
            let members = policy.filter { onlineCPUs.contains($0) }
            guard let first = members.first else { continue }
            let differing = members.first { wanted[$0] != wanted[first] && (wanted[$0] != nil || wanted[first] != nil) }
            guard let other = differing else { continue }
            let owner = { (cpu: Int) in t.power[cpu]?.owner ?? "no class" }
            let mark = t.power[first]?.power.marks[""] ?? t.power[other]?.power.marks[""]
            diagnostics.append(.error(
                "CPUs \(policy) share one cpufreq policy, but CPU \(first) (\(owner(first))) and CPU \(other) (\(owner(other))) ask for different governors or limits",
                file: layout.file, at: mark, hints: ["give them the same power class, or place the owners on CPUs of separate policies"]))
        }
    }
}
