import Foundation
import SosplanCore
import SosplanDrivers

/// The kernel files of `InMemoryHost`'s scratch root for isolation and power:
/// IRQs with `/proc/interrupts` names, the default IRQ affinity, the
/// workqueue mask, cpuidle states and a cpufreq policy per CPU, GRUB's
/// configuration. Plain files: a write sticks as written.
extension InMemoryHost {
    /// Every CPU of the host, as the kernel lists them.
    public var allCPUs: CPUSet { CPUSet(base.topology.cpus.map(\.id)) }

    public func makeKernelFiles(irqs: ClosedRange<Int> = 24...31, idleLatencies: [(String, Int)] = [("POLL", 0), ("C1", 2), ("C6", 133)]) throws {
        let all = allCPUs
        var interrupts = "           CPU0\n"
        for n in irqs {
            try ScratchDirectory.write("\(all)\n", to: "proc/irq/\(n)/smp_affinity_list", in: root)
            try ScratchDirectory.write("0\n", to: "proc/irq/\(n)/effective_affinity_list", in: root)
            interrupts += "  \(n):          0  PCI-MSIX-0000:00:04.0   \(n - irqs.lowerBound)-edge      eth0-q\(n - irqs.lowerBound)\n"
        }
        try ScratchDirectory.write(interrupts, to: "proc/interrupts", in: root)
        try ScratchDirectory.write(all.hexMask + "\n", to: "proc/irq/default_smp_affinity", in: root)
        try ScratchDirectory.write(all.hexMask + "\n", to: "sys/devices/virtual/workqueue/cpumask", in: root)
        try ScratchDirectory.write("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n", to: "proc/cmdline", in: root)
        try ScratchDirectory.write("GRUB_CMDLINE_LINUX=\"quiet\"\n", to: "etc/default/grub", in: root)
        // The kernel's global cpuidle folder, without which no CPU has one.
        try ScratchDirectory.write("intel_idle\n", to: "sys/devices/system/cpu/cpuidle/current_driver", in: root)
        for cpu in all {
            let dir = "sys/devices/system/cpu/cpu\(cpu)"
            for (k, (name, latency)) in idleLatencies.enumerated() {
                try ScratchDirectory.write("\(name)\n", to: "\(dir)/cpuidle/state\(k)/name", in: root)
                try ScratchDirectory.write("\(latency)\n", to: "\(dir)/cpuidle/state\(k)/latency", in: root)
                try ScratchDirectory.write("0\n", to: "\(dir)/cpuidle/state\(k)/disable", in: root)
            }
            for (file, value) in [
                ("scaling_governor", "schedutil"), ("scaling_available_governors", "performance powersave schedutil"),
                ("scaling_min_freq", "800000"), ("scaling_max_freq", "3500000"), ("cpuinfo_min_freq", "800000"),
                ("cpuinfo_max_freq", "3500000"), ("related_cpus", "\(cpu)"),
            ] {
                try ScratchDirectory.write("\(value)\n", to: "\(dir)/cpufreq/\(file)", in: root)
            }
        }
    }

    /// A file of the scratch root, trimmed.
    public func kernelFile(_ relative: String) -> String? {
        (try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
