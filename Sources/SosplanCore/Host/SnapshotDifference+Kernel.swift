extension SnapshotDifference {
    /// Kernel settings sosplan plans: the IRQs it holds (ones irqbalance
    /// moves about are not compared, or no saved plan would stay fresh on a
    /// host that runs it), the default IRQ affinity, the workqueue mask,
    /// irqbalance's ban, C-states and frequency per CPU, the boot arguments
    /// written for the next boot.
    static func kernel(_ a: KernelState?, _ b: KernelState?, _ out: inout [SnapshotDifference]) {
        guard let a, let b else { return }
        func list(_ s: CPUSet?) -> String { s.map { $0.isEmpty ? "none" : $0.description } ?? "unknown" }
        let held = Set(a.originals.irqs.map(\.irq) + b.originals.irqs.map(\.irq))
        for number in held.sorted() {
            guard let x = a.irq(number), let y = b.irq(number) else { continue }
            if x.affinity != y.affinity {
                out.append(.init(subject: "IRQ \(y.label)", change: "affinity \(list(x.affinity)) → \(list(y.affinity))"))
            }
        }
        if a.defaultIRQAffinity != b.defaultIRQAffinity {
            out.append(.init(subject: "default IRQ affinity", change: "\(list(a.defaultIRQAffinity)) → \(list(b.defaultIRQAffinity))"))
        }
        if a.workqueueMask != b.workqueueMask {
            out.append(.init(subject: "workqueue cpumask", change: "\(list(a.workqueueMask)) → \(list(b.workqueueMask))"))
        }
        if a.irqbalance?.sosplanBan != b.irqbalance?.sosplanBan {
            out.append(.init(
                subject: "irqbalance", change: "banned CPUs \(list(a.irqbalance?.sosplanBan)) → \(list(b.irqbalance?.sosplanBan))"))
        }
        for y in b.cpus {
            guard let x = a.cpu(y.cpu) else { continue }
            if x.disabledStates != y.disabledStates {
                out.append(.init(subject: "CPU \(y.cpu)", change: "C-states disabled \(list(x.disabledStates)) → \(list(y.disabledStates))"))
            }
            let p = x.frequency, q = y.frequency
            if p?.governor != q?.governor {
                out.append(.init(subject: "CPU \(y.cpu)", change: "governor \(p?.governor ?? "none") → \(q?.governor ?? "none")"))
            }
            if p?.minimum != q?.minimum || p?.maximum != q?.maximum {
                out.append(.init(
                    subject: "CPU \(y.cpu)",
                    change: "frequency \(FrequencyText.range(p?.minimum, p?.maximum)) → \(FrequencyText.range(q?.minimum, q?.maximum))"))
            }
        }
        if a.bootArguments?.arguments != b.bootArguments?.arguments {
            func words(_ w: [String]?) -> String { (w ?? []).isEmpty ? "(none)" : w!.joined(separator: " ") }
            out.append(.init(
                subject: "kernel arguments for the next boot",
                change: "\(words(a.bootArguments?.arguments)) → \(words(b.bootArguments?.arguments))"))
        }
    }
}

/// Frequencies as people read them: sysfs kHz to `2.4 GHz`, `800 MHz`.
public enum FrequencyText {
    public static func kHz(_ value: Int?) -> String {
        guard let v = value else { return "?" }
        if v >= 1_000_000 && v % 1_000 == 0 {
            var fraction = String(String(v % 1_000_000 / 1_000 + 1_000).dropFirst())
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return "\(v / 1_000_000)\(fraction.isEmpty ? "" : "." + fraction) GHz"
        }
        if v >= 1_000 && v % 1_000 == 0 { return "\(v / 1_000) MHz" }
        return "\(v) kHz"
    }

    public static func range(_ min: Int?, _ max: Int?) -> String { "\(kHz(min))–\(kHz(max))" }
}
