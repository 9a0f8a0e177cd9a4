import FoundationEssentials
import Glibc
import SosplanCore

/// cpuidle and cpufreq per CPU under a root: `cpuN/cpuidle/stateK/{name,
/// latency, disable}` and `cpuN/cpufreq/{scaling_governor,
/// scaling_available_governors, scaling_min_freq, scaling_max_freq,
/// cpuinfo_min_freq, cpuinfo_max_freq, related_cpus}`. An offline CPU has
/// no cpuidle folder; its cpufreq policy is not read either.
public struct LinuxCPUPower: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    private func cpuDir(_ cpu: Int) -> String { "/sys/devices/system/cpu/cpu\(cpu)" }

    /// The power state of each CPU in `cpus` that has one. A CPU's
    /// `cpuidle` folder exists only where the global one does: the
    /// kernel makes `cpu/cpuidle` in `cpuidle_init` (cpuidle_add_interface,
    /// drivers/cpuidle/sysfs.c) and refuses `cpuidle_register_device`, which
    /// makes the per-CPU ones (cpuidle_add_sysfs), under the same
    /// `cpuidle_disabled()` (drivers/cpuidle/cpuidle.c). Without it no CPU is
    /// asked. A CPU's `cpufreq` is looked at once before its files are.
    func read(_ reader: SysfsReader, cpus: CPUSet) -> [CPUPowerState] {
        let hasCPUIdle = reader.exists("sys/devices/system/cpu/cpuidle")
        return cpus.compactMap { cpu in
            let base = "sys/devices/system/cpu/cpu\(cpu)"
            var state = CPUPowerState(cpu: cpu)
            if hasCPUIdle, let indexes = reader.numberedEntries("\(base)/cpuidle", prefix: "state"), !indexes.isEmpty {
                state.idleStates = indexes.compactMap { k -> IdleState? in
                    let dir = "\(base)/cpuidle/state\(k)"
                    guard let latency = reader.int("\(dir)/latency") else { return nil }
                    let name = reader.trimmed("\(dir)/name").map { LinuxIRQs.printable($0) } ?? "state\(k)"
                    return IdleState(index: k, name: name, latency: latency, disabled: (reader.int("\(dir)/disable") ?? 0) != 0)
                }
            }
            let f = "\(base)/cpufreq"
            if reader.exists(f), reader.exists("\(f)/scaling_governor") || reader.exists("\(f)/scaling_max_freq") {
                state.frequency = CPUFrequency(
                    governor: reader.trimmed("\(f)/scaling_governor").map { LinuxIRQs.printable($0) },
                    governors: (reader.trimmed("\(f)/scaling_available_governors") ?? "").split(separator: " ").map { LinuxIRQs.printable(String($0)) },
                    minimum: reader.int("\(f)/scaling_min_freq"), maximum: reader.int("\(f)/scaling_max_freq"),
                    hardwareMinimum: reader.int("\(f)/cpuinfo_min_freq"), hardwareMaximum: reader.int("\(f)/cpuinfo_max_freq"),
                    policyCPUs: reader.cpuList("\(f)/related_cpus") ?? reader.cpuList("\(f)/affected_cpus"))
            }
            return state.idleStates == nil && state.frequency == nil ? nil : state
        }
    }

    /// Indexes of the disabled states of `cpu` now; nil without cpuidle.
    public func disabledStates(_ cpu: Int) -> IDSet? {
        let dir = EnclaveToolConfiguration(root: root).hostPath("\(cpuDir(cpu))/cpuidle")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        var out = IDSet()
        for name in names where name.hasPrefix("state") {
            guard let k = Int(name.dropFirst(5)) else { continue }
            if KernelFile(root: root, "\(cpuDir(cpu))/cpuidle/\(name)/disable").read() == "1" { out.insert(k) }
        }
        return out
    }

    /// Disables exactly `disabled` among the states of `cpu` (enables the
    /// rest); returns how many files it wrote.
    public func setDisabledStates(_ cpu: Int, _ disabled: IDSet) throws(KernelFile.WriteError) -> Int {
        let dir = EnclaveToolConfiguration(root: root).hostPath("\(cpuDir(cpu))/cpuidle")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        var writes = 0
        for k in names.compactMap({ $0.hasPrefix("state") ? Int($0.dropFirst(5)) : nil }).sorted() {
            let file = KernelFile(root: root, "\(cpuDir(cpu))/cpuidle/state\(k)/disable")
            let want = disabled.contains(k) ? "1" : "0"
            guard file.read() != want else { continue }
            try file.write(want)
            writes += 1
        }
        return writes
    }

    public func file(_ cpu: Int, _ name: String) -> KernelFile { KernelFile(root: root, "\(cpuDir(cpu))/cpufreq/\(name)") }

    /// The governor and limits of `cpu` now.
    public func frequency(_ cpu: Int) -> (governor: String?, minimum: Int?, maximum: Int?) {
        (file(cpu, "scaling_governor").read(), file(cpu, "scaling_min_freq").read().flatMap { Int($0) },
         file(cpu, "scaling_max_freq").read().flatMap { Int($0) })
    }

    /// Sets what is given: the limits in the order the kernel accepts (a
    /// new minimum above the current maximum needs the maximum first), then
    /// the governor. Returns how many files it wrote.
    public func setFrequency(_ cpu: Int, governor: String?, minimum: Int?, maximum: Int?) throws(KernelFile.WriteError) -> Int {
        var writes = 0
        let now = frequency(cpu)
        func put(_ name: String, _ value: String, _ current: String?) throws(KernelFile.WriteError) {
            guard value != current else { return }
            try file(cpu, name).write(value)
            writes += 1
        }
        // A maximum below the current minimum needs the minimum lowered first;
        // otherwise the maximum goes first (a minimum above the current maximum needs it).
        if maximum.map({ $0 < (now.minimum ?? 0) }) ?? false {
            if let m = minimum { try put("scaling_min_freq", "\(m)", now.minimum.map(String.init)) }
            if let m = maximum { try put("scaling_max_freq", "\(m)", now.maximum.map(String.init)) }
        } else {
            if let m = maximum { try put("scaling_max_freq", "\(m)", now.maximum.map(String.init)) }
            if let m = minimum { try put("scaling_min_freq", "\(m)", now.minimum.map(String.init)) }
        }
        if let g = governor { try put("scaling_governor", g, now.governor) }
        return writes
    }
}
