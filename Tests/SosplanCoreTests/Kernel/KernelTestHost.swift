import SosplanCore
import SosplanTestSupport

/// A 16-CPU, 2-node synthetic host with a kernel: eight NIC IRQs on every
/// CPU, one managed IRQ pinned to CPU 5 (the kernel will not move it),
/// intel_idle-like C-states and a 0.8-3.5 GHz cpufreq policy per CPU, GRUB,
/// and systemd with irqbalance running.
enum KernelTestHost {
    static let all = CPUSet(0...15)

    static func snapshot(irqCount: Int = 8, grub: Bool = true, cpufreq: Bool = true) -> HostSnapshot {
        var s = SyntheticHost.snapshot(packages: 2, coresPerNode: 4, threadsPerCore: 2)
        var k = KernelState(commandLine: "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet -- init-arg")
        k.irqs = (0..<irqCount).map { IRQState(number: 24 + $0, name: "eth0-q\($0)", chip: "PCI-MSIX \($0)-edge", affinity: all, effective: CPUSet([$0 % 16])) }
        k.irqs.append(IRQState(number: 200, name: "nvme0q5", affinity: CPUSet([5]), effective: CPUSet([5]), movable: false))
        k.defaultIRQAffinity = all
        k.workqueueMask = all
        k.cpus = all.map { cpu in
            CPUPowerState(
                cpu: cpu,
                idleStates: [IdleState(index: 0, name: "POLL", latency: 0, disabled: false), IdleState(index: 1, name: "C1", latency: 2, disabled: false),
                             IdleState(index: 2, name: "C6", latency: 133, disabled: false)],
                frequency: cpufreq ? CPUFrequency(
                    governor: "schedutil", governors: ["performance", "powersave", "schedutil"], minimum: 800_000, maximum: 3_500_000,
                    hardwareMinimum: 800_000, hardwareMaximum: 3_500_000, policyCPUs: CPUSet([cpu])) : nil)
        }
        if grub { k.bootArguments = BootArgumentsState(loader: "grub", path: "/etc/default/grub.d/sosplan.cfg") }
        s.kernel = k
        var irqbalance = SystemdUnit(name: "irqbalance.service")
        irqbalance.loadState = "loaded"
        irqbalance.activeState = "active"
        s.systemd = SystemdState(units: [irqbalance])
        s.refreshFingerprint()
        return s
    }

    static func layout(_ text: String) throws -> HostLayout {
        let result = LayoutDecoder.decode("apiVersion: sosplan/v1\nkind: HostLayout\nmetadata:\n  name: k\nspec:\n" + text, file: "k.yaml")
        guard let layout = result.layout else { throw LayoutFailure(text: DiagnosticFormatter.text(result.diagnostics)) }
        return layout
    }

    struct LayoutFailure: Error, CustomStringConvertible { var text: String; var description: String { text } }

    /// Host CPUs 0 and 8 (core 0), an isolated service on two cores of node 0.
    static let isolatedSpec = """
          host:
            cpus: {list: "0,8"}
          services:
            - name: rt
              exec: ["/opt/rt"]
              cpus: {list: "1-2,9-10"}
              isolated: true

        """

    static func plan(_ layout: HostLayout, on snapshot: HostSnapshot) -> Planner.Result {
        Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
    }

    /// Applies the plan the way the executors would and plans again (kernel steps only).
    static func converge(_ layout: HostLayout, _ snapshot: HostSnapshot) -> (HostSnapshot, [Step]) {
        guard let plan = plan(layout, on: snapshot).plan else { return (snapshot, []) }
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: snapshot)
        return (after, self.plan(layout, on: after).plan?.steps ?? [])
    }

    static let kernelActions: Set<StepAction> = [
        .irqAffinity, .irqDefaultAffinity, .workqueueMask, .irqbalanceBan, .irqbalanceStop, .irqbalanceStart, .cpuidleSet, .cpufreqSet,
        .kernelCommandLine,
    ]
}

extension Plan {
    func steps(_ action: StepAction) -> [Step] { steps.filter { $0.action == action } }
    var kernelSteps: [Step] { steps.filter { KernelTestHost.kernelActions.contains($0.action) } }
}
