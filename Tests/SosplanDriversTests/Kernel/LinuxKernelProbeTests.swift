import Foundation
import SosplanCore
@testable import SosplanDrivers
import SosplanTestSupport
import Testing

/// The kernel probe and its files, on scratch roots shaped like `/proc` and
/// `/sys`, and on this machine's own kernel.
@Suite struct LinuxKernelProbeTests {
    static let interrupts = """
                   CPU0       CPU1       
         24:          1          0  IO-APIC   5-edge      ACPI:Ged
         36:    9317097     296430 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0
         46:          0          0  IR-PCI-MSI 524288-edge      ahci[0000:00:1f.2], eth0
         99:          0          0  dummy
        NMI:          0          0   Non-maskable interrupts
        LOC:    2997758    3086464   Local timer interrupts

        """

    @Test func interruptNamesComeFromTheLastColumns() {
        let names = LinuxIRQs.interruptNames(Self.interrupts)
        #expect(names[24]?.name == "ACPI:Ged" && names[24]?.chip == "IO-APIC 5-edge")
        #expect(names[36]?.name == "virtio1-req.0" && names[36]?.chip == "PCI-MSIX-0000:00:02.0 1-edge")
        #expect(names[46]?.name == "ahci[0000:00:1f.2], eth0")
        #expect(names[99]?.name == nil, "a chip and nothing else names no handler")
        #expect(names.count == 4, "NMI, LOC and the like are per-CPU, not IRQs of /proc/irq")
    }

    @Test func hexMasksAreTheKernelsForm() {
        #expect(CPUSet([0, 1]).hexMask == "00000003")
        #expect(CPUSet([0, 8]).hexMask == "00000101")
        #expect(CPUSet([0, 40]).hexMask == "00000100,00000001")
        #expect(CPUSet().hexMask == "00000000")
        #expect(KernelMask.parse("00000100,00000001") == CPUSet([0, 40]))
        #expect(KernelMask.parse("ff") == CPUSet(0...7))
        #expect(KernelMask.parse("zz") == nil)
    }

    static func root() throws -> ScratchDirectory {
        let scratch = try ScratchDirectory("kernel-probe")
        let r = scratch.path("root")
        try ScratchDirectory.write(Self.interrupts, to: "proc/interrupts", in: r)
        for (n, list) in [(24, "0-3"), (36, "0-1"), (46, "2")] {
            try ScratchDirectory.write("\(list)\n", to: "proc/irq/\(n)/smp_affinity_list", in: r)
            try ScratchDirectory.write("\(list.prefix(1))\n", to: "proc/irq/\(n)/effective_affinity_list", in: r)
        }
        try ScratchDirectory.write("0000000f\n", to: "proc/irq/default_smp_affinity", in: r)
        try ScratchDirectory.write("0000000f\n", to: "sys/devices/virtual/workqueue/cpumask", in: r)
        try ScratchDirectory.write("00000007\n", to: "sys/devices/virtual/workqueue/cpumask_requested", in: r)
        try ScratchDirectory.write("ro quiet nohz_full=3\n", to: "proc/cmdline", in: r)
        try ScratchDirectory.write("GRUB_CMDLINE_LINUX=\"\"\n", to: "etc/default/grub", in: r)
        try ScratchDirectory.write("intel_idle\n", to: "sys/devices/system/cpu/cpuidle/current_driver", in: r)
        for cpu in 0...3 {
            let d = "sys/devices/system/cpu/cpu\(cpu)"
            try ScratchDirectory.write("POLL\n", to: "\(d)/cpuidle/state0/name", in: r)
            try ScratchDirectory.write("0\n", to: "\(d)/cpuidle/state0/latency", in: r)
            try ScratchDirectory.write("0\n", to: "\(d)/cpuidle/state0/disable", in: r)
            try ScratchDirectory.write("C6\u{1b}[31m\n", to: "\(d)/cpuidle/state1/name", in: r)
            try ScratchDirectory.write("133\n", to: "\(d)/cpuidle/state1/latency", in: r)
            try ScratchDirectory.write(cpu == 3 ? "1\n" : "0\n", to: "\(d)/cpuidle/state1/disable", in: r)
            guard cpu < 2 else { continue }
            for (f, v) in [("scaling_governor", "schedutil"), ("scaling_available_governors", "performance schedutil"), ("scaling_min_freq", "800000"),
                           ("scaling_max_freq", "3000000"), ("cpuinfo_min_freq", "800000"), ("cpuinfo_max_freq", "3500000"), ("related_cpus", "0-1")] {
                try ScratchDirectory.write("\(v)\n", to: "\(d)/cpufreq/\(f)", in: r)
            }
        }
        return scratch
    }

    @Test func theProbeReadsEverythingUnderARoot() throws {
        let scratch = try Self.root()
        defer { scratch.remove() }
        let state = StateDirectory(path: scratch.path("state").path)
        try KernelOriginalsFile(state: state).write(KernelOriginals(refusedIRQs: [HeldIRQ(irq: 36, name: "virtio1-req.0", affinity: CPUSet([0, 1]))]))
        let probe = LinuxKernelProbe(root: scratch.path("root").path, stateDirectory: state, irqbalanceBan: { CPUSet([3]) })
        let observed = probe.observeKernel(onlineCPUs: CPUSet(0...3))
        let k = try #require(observed.state)
        #expect(observed.warnings.isEmpty, "\(observed.warnings)")
        #expect(k.irqs.map(\.number) == [24, 36, 46])
        #expect(k.irq(24) == IRQState(number: 24, name: "ACPI:Ged", chip: "IO-APIC 5-edge", affinity: CPUSet(0...3), effective: CPUSet([0])))
        #expect(k.irq(36)?.movable == false, "the record says the kernel refused it")
        #expect(k.defaultIRQAffinity == CPUSet(0...3))
        #expect(k.workqueueMask == CPUSet(0...2), "the mask asked for, not the one cpuset partitions narrowed")
        #expect(k.commandLine == "ro quiet nohz_full=3")
        #expect(k.bootArguments == BootArgumentsState(loader: "grub", path: "/etc/default/grub.d/sosplan.cfg"))
        #expect(k.irqbalance == IRQBalanceState(running: false, sosplanBan: CPUSet([3])))
        #expect(k.cpu(3)?.idleStates?.map(\.name) == ["POLL", "C6[31m"], "escape bytes are dropped")
        #expect(k.cpu(3)?.disabledStates == IDSet([1]))
        #expect(k.cpu(1)?.frequency == CPUFrequency(
            governor: "schedutil", governors: ["performance", "schedutil"], minimum: 800_000, maximum: 3_000_000, hardwareMinimum: 800_000,
            hardwareMaximum: 3_500_000, policyCPUs: CPUSet([0, 1])))
        #expect(k.cpu(2)?.frequency == nil)
    }

    /// The kernel makes a CPU's cpuidle folder only beside the global one
    /// (both are refused when cpuidle is disabled): without the global
    /// folder no CPU's is read, and cpufreq is read as before.
    @Test func withoutTheGlobalCPUIdleFolderNoCPUsIdleStatesAreRead() throws {
        let scratch = try Self.root()
        defer { scratch.remove() }
        try ScratchDirectory.delete("sys/devices/system/cpu/cpuidle", in: scratch.path("root"))
        let observed = LinuxKernelProbe(root: scratch.path("root").path).observeKernel(onlineCPUs: CPUSet(0...3))
        let k = try #require(observed.state)
        #expect((0...3).allSatisfy { k.cpu($0)?.idleStates == nil })
        #expect(k.cpu(3) == nil, "CPU 3 has no cpufreq either: nothing to say about its power")
        #expect(k.cpu(1)?.frequency?.governor == "schedutil")
    }

    @Test func aRootWithoutAnyOfItHasNoKernelState() throws {
        let scratch = try ScratchDirectory("kernel-empty")
        defer { scratch.remove() }
        try ScratchDirectory.write("0\n", to: "sys/devices/system/cpu/online", in: scratch.path("root"))
        #expect(LinuxKernelProbe(root: scratch.path("root").path).observeKernel(onlineCPUs: CPUSet([0])).state == nil)
    }

    @Test func aDamagedRecordIsIgnoredWithAWarning() throws {
        let scratch = try Self.root()
        defer { scratch.remove() }
        let state = StateDirectory(path: scratch.path("state").path)
        try state.writeAtomically(Data("{\"irqs\": 5".utf8), to: KernelOriginalsFile.name)
        let observed = LinuxKernelProbe(root: scratch.path("root").path, stateDirectory: state).observeKernel(onlineCPUs: CPUSet(0...3))
        #expect(observed.state?.originals.isEmpty == true)
        #expect(observed.warnings.contains { $0.contains("does not read as sosplan's record") })
    }

    @Test func theGRUBDropInIsWrittenReadAndRemovedAndRefusesWhatAShellWouldRead() throws {
        let scratch = try Self.root()
        defer { scratch.remove() }
        let grub = GRUBBootArguments(root: scratch.path("root").path)
        #expect(grub.isAvailable)
        let actions = try grub.write(["nohz_full=2-3", "isolcpus=managed_irq,domain,2-3"])
        #expect(actions.first == "wrote /etc/default/grub.d/sosplan.cfg: nohz_full=2-3 isolcpus=managed_irq,domain,2-3")
        #expect(actions.last?.contains("update-grub") == true, "a simulated root never runs this machine's update-grub")
        #expect(grub.written() == ["nohz_full=2-3", "isolcpus=managed_irq,domain,2-3"])
        #expect(try grub.write(["nohz_full=2-3", "isolcpus=managed_irq,domain,2-3"]).isEmpty)
        #expect(throws: GRUBBootArguments.Failure.self) { try grub.write(["nohz_full=2\"; reboot; \""]) }
        #expect(grub.written() == ["nohz_full=2-3", "isolcpus=managed_irq,domain,2-3"], "nothing of a refused write")
        #expect(try grub.write([]) == ["removed /etc/default/grub.d/sosplan.cfg", "takes effect once GRUB's configuration is regenerated (update-grub) and the host reboots"])
        #expect(grub.written() == [])
        let handWritten = scratch.path("root/etc/default/grub.d/sosplan.cfg")
        try "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX nohz_full=1\"\n".write(to: handWritten, atomically: true, encoding: .utf8)
        #expect(grub.written() == [], "a file without sosplan's marker is not sosplan's")
    }

    @Test func aRefusedWriteIsTheKernelsNotAnOpenFailure() {
        #expect(KernelFile.WriteError(error: SystemError(call: "write", path: "x", errno: EIO)).refused)
        #expect(KernelFile.WriteError(error: SystemError(call: "write", path: "x", errno: EPERM)).refused)
        #expect(!KernelFile.WriteError(error: SystemError(call: "open", path: "x", errno: EPERM)).refused)
        #expect(!KernelFile.WriteError(error: SystemError(call: "write", path: "x", errno: EINVAL)).refused)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/irq/default_smp_affinity"), "this kernel has no /proc/irq"))
    func thisMachinesKernelReads() throws {
        let k = try #require(LinuxKernelProbe(root: "/").observeKernel(onlineCPUs: CPUSet([0])).state)
        #expect(k.defaultIRQAffinity?.isEmpty == false)
        #expect(k.commandLine?.isEmpty == false)
        let names = Set(k.irqs.compactMap(\.name))
        let fromInterrupts = try String(contentsOfFile: "/proc/interrupts", encoding: .utf8).split(separator: "\n").count
        #expect(k.irqs.count > 0 && k.irqs.count <= fromInterrupts)
        #expect(!names.isEmpty, "/proc/interrupts names the handlers")
    }
}
