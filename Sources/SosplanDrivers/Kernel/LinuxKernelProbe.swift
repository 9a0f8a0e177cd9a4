import FoundationEssentials
import Glibc
import SosplanCore

/// Reads what the kernel does on the CPUs besides tasks (`KernelState`)
/// under a root: IRQs, the default IRQ affinity, the workqueue mask,
/// irqbalance (its process and sosplan's drop-in in the unit directory),
/// cpuidle and cpufreq of the online CPUs, `/proc/cmdline`, the boot
/// loader's drop-in, and sosplan's record of what it changed.
public struct LinuxKernelProbe: KernelStateSource {
    public var root: String
    public var stateDirectory: StateDirectory?
    /// The CPUs sosplan's irqbalance drop-in bans (nil: no drop-in), as
    /// the systemd side reads it (`IRQBalanceDropIn.ban(in:)`).
    public var irqbalanceBan: (() -> CPUSet?)?

    public init(root: String, stateDirectory: StateDirectory? = nil, irqbalanceBan: (() -> CPUSet?)? = nil) {
        self.root = root
        self.stateDirectory = stateDirectory
        self.irqbalanceBan = irqbalanceBan
    }

    public func observeKernel(onlineCPUs: CPUSet) -> KernelObservation {
        guard let reader = try? SysfsReader(root: root.isEmpty ? "/" : root) else { return KernelObservation() }
        var warnings: [String] = []
        var state = KernelState()
        state.commandLine = reader.trimmed("proc/cmdline").map { LinuxIRQs.printable($0, limit: 4096) }
        state.irqs = LinuxIRQs(root: root).read(reader)
        state.defaultIRQAffinity = reader.cpuMask("proc/irq/default_smp_affinity")
        state.workqueueMask = reader.cpuMask("sys/devices/virtual/workqueue/cpumask_requested")
            ?? reader.cpuMask("sys/devices/virtual/workqueue/cpumask")
        state.cpus = LinuxCPUPower(root: root).read(reader, cpus: onlineCPUs)
        state.bootArguments = GRUBBootArguments(root: root).read(reader, warnings: &warnings)
        state.irqbalance = irqbalance(reader)
        if let stateDirectory {
            let (record, warning) = KernelOriginalsFile(state: stateDirectory).read()
            state.originals = record
            if let warning { warnings.append(warning) }
            for i in state.irqs.indices where record.refused(state.irqs[i]) { state.irqs[i].movable = false }
        }
        let found = state.commandLine != nil || !state.irqs.isEmpty || state.defaultIRQAffinity != nil || state.workqueueMask != nil
            || !state.cpus.isEmpty || state.bootArguments != nil || !state.originals.isEmpty || state.irqbalance != nil
        return KernelObservation(state: found ? state : nil, warnings: warnings)
    }

    /// The irqbalance process (and the CPUs it was told to leave alone),
    /// and sosplan's drop-in; nil when neither is there.
    private func irqbalance(_ reader: SysfsReader) -> IRQBalanceState? {
        var state = IRQBalanceState()
        state.sosplanBan = irqbalanceBan?()
        for name in reader.list("proc") ?? [] where name.first?.isNumber == true {
            guard reader.trimmed("proc/\(name)/comm") == "irqbalance" else { continue }
            state.running = true
            let environPath = EnclaveToolConfiguration(root: root).hostPath("/proc/\(name)/environ")
            if let data = RawFile.read(environPath, limit: 256 * 1024) {
                for entry in data.split(separator: 0).map({ String(decoding: $0, as: UTF8.self) })
                where entry.hasPrefix(IRQBalanceDropIn.variable + "=") {
                    state.bannedCPUs = try? CPUSet(lenientList: String(entry.dropFirst(IRQBalanceDropIn.variable.count + 1)))
                }
            }
            break
        }
        return state.running || state.sosplanBan != nil ? state : nil
    }
}
