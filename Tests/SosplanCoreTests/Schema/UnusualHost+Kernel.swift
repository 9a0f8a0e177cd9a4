import SosplanCore
import SosplanTestSupport

/// The unusual host's kernel: IRQs (one the kernel refused to move, one
/// without a handler), irqbalance running with a ban of its own and
/// sosplan's drop-in, cpuidle and cpufreq on every online CPU, GRUB with
/// sosplan's arguments, and a record of values sosplan changed (irqbalance
/// stopped by it, an IRQ, C-states and frequency of CPUs no class asks for
/// any more), so the plan has a step of every kernel action but `irqbalance.stop`.
extension UnusualHost {
    static let kernelLayout = """
          isolation:
            irqbalance: ban
            kernelArgs: [nohz_full, "isolcpus=managed_irq,domain", irqaffinity]
          power:
            unassigned: {governor: powersave}
        """

    static let kernelService = """
              isolated: true
              power: {maxIdleLatency: 0us, governor: performance, frequency: {min: 3GHz, max: max}}
        """

    static func kernel(online: CPUSet) -> KernelState {
        // Booted with what the layout asks already; the drop-in says something older (the step rewrites it).
        var k = KernelState(commandLine: "BOOT_IMAGE=/vmlinuz-6.1 root=/dev/nvme0n1p2 ro quiet nohz_full=4,20 isolcpus=managed_irq,domain,4,20 irqaffinity=0,16")
        k.irqs = [
            IRQState(number: 0, affinity: CPUSet([0])),
            IRQState(number: 24, name: "ACPI:Ged", chip: "IO-APIC 5-edge", affinity: online, effective: CPUSet([0])),
            IRQState(number: 45, name: "nvme0q1", chip: "PCI-MSIX-0000:01:00.0 1-edge", affinity: CPUSet([2]), effective: CPUSet([2]), movable: false),
            IRQState(number: 46, name: "eth0-TxRx-0, eth0-TxRx-1", chip: "PCI-MSIX-0000:02:00.0 0-edge", affinity: online, effective: CPUSet([3])),
        ]
        k.defaultIRQAffinity = online
        k.workqueueMask = online
        k.irqbalance = IRQBalanceState(running: true, bannedCPUs: CPUSet([1]), sosplanBan: CPUSet([1]))
        k.cpus = online.map { cpu in
            CPUPowerState(
                cpu: cpu,
                idleStates: [IdleState(index: 0, name: "POLL", latency: 0, disabled: false), IdleState(index: 1, name: "C1", latency: 2, disabled: cpu == 7),
                             IdleState(index: 2, name: "C6", latency: 133, disabled: false)],
                frequency: CPUFrequency(
                    governor: cpu == 7 ? "performance" : "schedutil", governors: ["performance", "powersave", "schedutil"], minimum: 800_000,
                    maximum: 3_500_000, hardwareMinimum: 800_000, hardwareMaximum: 3_500_000, policyCPUs: CPUSet([cpu])))
        }
        k.bootArguments = BootArgumentsState(loader: "grub", path: "/etc/default/grub.d/sosplan.cfg", arguments: ["nohz_full=9-15,25-31"])
        k.originals = KernelOriginals(
            irqs: [HeldIRQ(irq: 24, name: "ACPI:Ged", affinity: online)], refusedIRQs: [HeldIRQ(irq: 45, name: "nvme0q1", affinity: CPUSet([2]))],
            defaultIRQAffinity: online, workqueueMask: online, irqbalanceStopped: true, idle: [HeldIdle(cpu: 7, disabled: IDSet())],
            frequency: [HeldFrequency(cpu: 7, governor: "schedutil", minimum: 800_000)])
        return k
    }

    /// irqbalance's unit: installed, stopped (by sosplan, says the record).
    static func irqbalanceUnit() -> SystemdUnit {
        var u = SystemdUnit(name: "irqbalance.service", managed: true)
        u.loadState = "loaded"
        u.activeState = "inactive"
        u.slice = "system.slice"
        return u
    }

    /// The one kernel step the planner cannot make in the same plan as a start: a stop.
    static func irqbalanceStop(id: String) -> Step {
        Step(
            id: id, action: .irqbalanceStop, target: .unit("irqbalance.service"), disruption: .live,
            before: ["ActiveState": .string("active")], after: ["ActiveState": .string("inactive")], reason: "irqbalance: stop")
    }
}
