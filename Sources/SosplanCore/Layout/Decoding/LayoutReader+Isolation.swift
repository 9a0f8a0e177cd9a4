/// `spec.isolation` and `spec.power`.
extension LayoutReader {
    func isolation(_ node: YAMLNode) -> IsolationSpec {
        var spec = IsolationSpec(written: true, marks: LayoutReader.marks(of: node))
        guard let f = fields(node, "spec.isolation", allowed: ["irqs", "workqueues", "irqbalance", "kernelArgs"]) else {
            return spec
        }
        if let n = f["irqs"], let v = choice(n, f.path("irqs"), IsolationSpec.Work.self) { spec.irqs = v }
        if let n = f["workqueues"], let v = choice(n, f.path("workqueues"), IsolationSpec.Work.self) { spec.workqueues = v }
        if let n = f["irqbalance"], let v = choice(n, f.path("irqbalance"), IsolationSpec.IRQBalance.self) { spec.irqbalance = v }
        if let n = f["kernelArgs"], let items = items(n, f.path("kernelArgs"), what: "a list of kernel arguments") {
            var seen: [KernelArgument.Name: Int] = [:]
            for (i, item) in items.enumerated() {
                guard let arg = kernelArgument(item, "\(f.path("kernelArgs"))[\(i)]") else { continue }
                if let first = seen[arg.name] {
                    error("\(f.path("kernelArgs"))[\(i)]", "\(arg.name.rawValue) is given twice (first as item \(first))", at: item.mark,
                          hints: ["keep one \(arg.name.rawValue); put all its flags in it"])
                    continue
                }
                seen[arg.name] = i
                spec.kernelArgs.append(arg)
            }
        }
        return spec
    }

    /// `nohz_full`, `rcu_nocbs`, `isolcpus`, `isolcpus=managed_irq,domain`,
    /// `irqaffinity`, `kthread_cpus`: the CPU list is sosplan's to compute.
    private func kernelArgument(_ node: YAMLNode, _ path: String) -> KernelArgument? {
        guard let text = string(node, path, what: "a kernel argument such as nohz_full") else { return nil }
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let known = KernelArgument.Name.allCases.map(\.rawValue)
        guard let name = KernelArgument.Name(rawValue: parts[0]) else {
            var hints = Suggestions.hint(for: parts[0], in: known).map { [$0] } ?? []
            hints.append("sosplan computes these for the isolated CPUs: " + known.joined(separator: ", "))
            error(path, "'\(parts[0])' is not a kernel argument sosplan computes", at: node.mark, hints: hints)
            return nil
        }
        guard parts.count == 2 else { return KernelArgument(name, mark: node.mark) }
        let value = parts[1]
        guard name == .isolcpus else {
            let cpus = name.listsHostCPUs ? "the host's CPUs" : "the isolated CPUs"
            error(path, "\(name.rawValue) takes no value here: sosplan writes \(cpus) itself", at: LayoutReader.mark(in: node, offset: parts[0].count),
                  hints: ["write just \(name.rawValue)"])
            return nil
        }
        var flags: [String] = []
        var offset = parts[0].count + 1
        for flag in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if flag.first?.isNumber == true {
                error(path, "isolcpus names no CPUs here: sosplan writes the isolated CPUs itself", at: LayoutReader.mark(in: node, offset: offset),
                      hints: ["write the flags only, e.g. isolcpus=managed_irq,domain"])
                return nil
            }
            guard KernelArgument.isolcpusFlags.contains(flag) else {
                var hints = Suggestions.hint(for: flag, in: KernelArgument.isolcpusFlags).map { [$0] } ?? []
                hints.append("isolcpus flags: " + KernelArgument.isolcpusFlags.joined(separator: ", "))
                error(path, "'\(flag)' is not an isolcpus flag", at: LayoutReader.mark(in: node, offset: offset), hints: hints)
                return nil
            }
            if flags.contains(flag) {
                error(path, "isolcpus flag '\(flag)' is given twice", at: LayoutReader.mark(in: node, offset: offset))
                return nil
            }
            flags.append(flag)
            offset += flag.count + 1
        }
        return KernelArgument(name, flags: flags, mark: node.mark)
    }

    func hostPower(_ node: YAMLNode) -> HostPower {
        var power = HostPower(marks: LayoutReader.marks(of: node))
        guard let f = fields(node, "spec.power", allowed: ["unassigned"]) else { return power }
        if let n = f["unassigned"] { power.unassigned = powerClass(n, f.path("unassigned")) }
        return power
    }

    /// `{maxIdleLatency, governor, frequency: {min, max}}`.
    func powerClass(_ node: YAMLNode, _ path: String) -> PowerClass? {
        guard let f = fields(node, path, allowed: ["maxIdleLatency", "governor", "frequency"],
                             what: "a mapping {maxIdleLatency, governor, frequency}")
        else { return nil }
        var power = PowerClass(marks: LayoutReader.marks(of: node))
        if let n = f["maxIdleLatency"] { power.maxIdleLatency = idleLatency(n, f.path("maxIdleLatency")) }
        if let n = f["governor"], let g = string(n, f.path("governor"), what: "a cpufreq governor name") {
            if !g.isEmpty, g.count <= 15, g.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 45 }) {
                power.governor = g
            } else {
                error(f.path("governor"), "'\(g.prefix(40))' is not a cpufreq governor name", at: n.mark,
                      hints: ["governors are lower-case names such as performance, powersave, schedutil, ondemand"])
            }
        }
        if let n = f["frequency"], let g = fields(n, f.path("frequency"), allowed: ["min", "max"], what: "a mapping {min, max}") {
            if let m = g["min"] { power.minFrequency = frequencyBound(m, g.path("min")) }
            if let m = g["max"] { power.maxFrequency = frequencyBound(m, g.path("max")) }
            if case .kilohertz(let low)? = power.minFrequency, case .kilohertz(let high)? = power.maxFrequency, low > high, let m = g["min"] {
                error(g.path("min"), "the lowest frequency (\(FrequencyText.kHz(low))) is above the highest (\(FrequencyText.kHz(high)))",
                      at: m.mark)
                power.minFrequency = nil
            }
        }
        return power
    }

    /// `0us`, `20us`, `2ms`, `500ns` (µs also reads as us).
    private func idleLatency(_ node: YAMLNode, _ path: String) -> IdleLatency? {
        let hints = ["give a time with its unit: 0us, 20us, 2ms, 500ns (C-state exit latencies are in microseconds)"]
        if case .int(let v?)? = node.resolvedScalar {
            error(path, "\(v) has no unit", at: node.mark, hints: v == 0 ? ["write 0us: no C-state with any exit latency"] : hints)
            return nil
        }
        guard let text = string(node, path, what: "a time such as 20us") else { return nil }
        let units: [(String, UInt64)] = [("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000)]
        guard let unit = units.first(where: { text.hasSuffix($0.0) }), let value = UInt64(text.dropLast(unit.0.count)) else {
            error(path, "'\(text.prefix(40))' is not a time", at: node.mark, hints: hints)
            return nil
        }
        guard value <= 10_000_000_000 / unit.1 else {
            error(path, "\(text) is more than 10s: no C-state takes that long to leave", at: node.mark, hints: hints)
            return nil
        }
        return IdleLatency(nanoseconds: value * unit.1)
    }

    /// `min`, `max` (the hardware's), or `2.4GHz`, `800MHz`, `1200000kHz`.
    private func frequencyBound(_ node: YAMLNode, _ path: String) -> FrequencyBound? {
        let hints = ["write min or max (the hardware's), or a frequency: 2.4GHz, 1800MHz, 800000kHz"]
        if case .int? = node.resolvedScalar {
            error(path, "\(node.scalar ?? "") has no unit", at: node.mark, hints: hints)
            return nil
        }
        guard let text = string(node, path, what: "min, max or a frequency such as 2.4GHz") else { return nil }
        if text == "min" { return .hardwareMinimum }
        if text == "max" { return .hardwareMaximum }
        let units: [(String, Int)] = [("GHz", 1_000_000), ("MHz", 1_000), ("kHz", 1)]
        guard let unit = units.first(where: { text.hasSuffix($0.0) }) else {
            error(path, "'\(text.prefix(40))' is not min, max or a frequency", at: node.mark, hints: hints)
            return nil
        }
        let number = text.dropLast(unit.0.count)
        let pieces = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = Int(pieces[0]), pieces[0].allSatisfy(\.isNumber), whole <= 100_000_000 / unit.1 else {
            error(path, "'\(text.prefix(40))' is not a frequency", at: node.mark, hints: hints)
            return nil
        }
        var khz = whole * unit.1
        if pieces.count == 2 {
            let fraction = pieces[1]
            var scale = unit.1
            guard !fraction.isEmpty, fraction.allSatisfy(\.isNumber) else {
                error(path, "'\(text.prefix(40))' is not a frequency", at: node.mark, hints: hints)
                return nil
            }
            for digit in fraction {
                scale /= 10
                guard scale > 0 || digit == "0" else {
                    error(path, "\(text) is not a whole number of kHz (cpufreq counts in kHz)", at: node.mark)
                    return nil
                }
                khz += (digit.wholeNumberValue ?? 0) * scale
            }
        }
        guard khz > 0 else {
            error(path, "a frequency of 0 is no limit a CPU can run at", at: node.mark, hints: hints)
            return nil
        }
        return .kilohertz(khz)
    }
}
