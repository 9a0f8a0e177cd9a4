/// What the kernel does on the CPUs besides running tasks, and how their
/// idle and frequency are set: device interrupts and their affinity, the
/// unbound-workqueue mask, irqbalance, cpuidle and cpufreq per CPU, the
/// command line it booted with and the one written for the next boot, and
/// the values sosplan changed (so it can put them back). The snapshot's
/// `kernel`; nil when it was not observed (a saved snapshot of an older
/// sosplan, a root without `/proc`), and then no isolation or power step is
/// planned.
public struct KernelState: Codable, Sendable, Hashable {
    /// `/proc/cmdline`.
    public var commandLine: String?
    /// Every IRQ in `/proc/irq`, by number.
    public var irqs: [IRQState]
    /// `/proc/irq/default_smp_affinity`: the affinity of IRQs set up later.
    public var defaultIRQAffinity: CPUSet?
    /// `/sys/devices/virtual/workqueue/cpumask` (the mask asked for, where
    /// the kernel says it apart: `cpumask_requested`).
    public var workqueueMask: CPUSet?
    public var irqbalance: IRQBalanceState?
    /// Online CPUs with cpuidle or cpufreq, by id.
    public var cpus: [CPUPowerState]
    /// Where the kernel command line for the next boot is kept, and what
    /// sosplan's drop-in there says; nil when the host has no place sosplan
    /// writes (no GRUB configuration).
    public var bootArguments: BootArgumentsState?
    /// The values before sosplan changed them (its record in the state
    /// directory): what it restores when the layout stops asking.
    public var originals: KernelOriginals

    public init(
        commandLine: String? = nil, irqs: [IRQState] = [],
        defaultIRQAffinity: CPUSet? = nil, workqueueMask: CPUSet? = nil, irqbalance: IRQBalanceState? = nil,
        cpus: [CPUPowerState] = [], bootArguments: BootArgumentsState? = nil, originals: KernelOriginals = KernelOriginals()
    ) {
        self.commandLine = commandLine
        self.irqs = irqs
        self.defaultIRQAffinity = defaultIRQAffinity
        self.workqueueMask = workqueueMask
        self.irqbalance = irqbalance
        self.cpus = cpus
        self.bootArguments = bootArguments
        self.originals = originals
    }

    public func irq(_ number: Int) -> IRQState? { irqs.first { $0.number == number } }
    public func cpu(_ id: Int) -> CPUPowerState? { cpus.first { $0.cpu == id } }
}

/// One IRQ: `/proc/irq/N/smp_affinity_list` (the CPUs it may run on),
/// `effective_affinity_list` (where the interrupt controller delivers it)
/// and the names `/proc/interrupts` gives its handlers.
public struct IRQState: Codable, Sendable, Hashable {
    public var number: Int
    /// The handlers' names (`virtio1-req.0`, `nvme0q3`); nil when none is registered.
    public var name: String?
    /// The interrupt chip and hardware IRQ, as `/proc/interrupts` shows them (`PCI-MSIX-0000:00:04.0 1-edge`).
    public var chip: String?
    public var affinity: CPUSet
    public var effective: CPUSet?
    /// False when the kernel refuses to move it (a managed IRQ of a
    /// multi-queue device, or one that cannot move at all: it answers EIO
    /// or EPERM);
    /// nil when not known to be refused. Such IRQs are reported, not fought.
    public var movable: Bool?

    public init(number: Int, name: String? = nil, chip: String? = nil, affinity: CPUSet, effective: CPUSet? = nil, movable: Bool? = nil) {
        self.number = number
        self.name = name
        self.chip = chip
        self.affinity = affinity
        self.effective = effective
        self.movable = movable
    }

    /// True unless the kernel is known to refuse a new affinity.
    public var canMove: Bool { movable != false }

    /// Where it may run now: the effective CPUs where the kernel says, else its affinity.
    public var landsOn: CPUSet { effective.flatMap { $0.isEmpty ? nil : $0 } ?? affinity }

    /// `24 (ACPI:Ged)`, for messages.
    public var label: String { name.map { "\(number) (\($0))" } ?? "\(number)" }
}

/// irqbalance as the host runs it: whether its process runs and the CPUs
/// it was told to leave alone, and the CPUs sosplan's drop-in bans.
public struct IRQBalanceState: Codable, Sendable, Hashable {
    /// A process named `irqbalance` runs.
    public var running: Bool
    /// `IRQBALANCE_BANNED_CPULIST` in the running process's environment.
    public var bannedCPUs: CPUSet?
    /// The list sosplan's drop-in for `irqbalance.service` gives it; nil
    /// when there is no such drop-in.
    public var sosplanBan: CPUSet?

    public init(running: Bool = false, bannedCPUs: CPUSet? = nil, sosplanBan: CPUSet? = nil) {
        self.running = running
        self.bannedCPUs = bannedCPUs
        self.sosplanBan = sosplanBan
    }
}

/// One CPU's idle states and frequency settings.
public struct CPUPowerState: Codable, Sendable, Hashable {
    public var cpu: Int
    /// `cpuidle/stateN` in order; nil when the CPU has no cpuidle.
    public var idleStates: [IdleState]?
    public var frequency: CPUFrequency?

    public init(cpu: Int, idleStates: [IdleState]? = nil, frequency: CPUFrequency? = nil) {
        self.cpu = cpu
        self.idleStates = idleStates
        self.frequency = frequency
    }

    /// Indexes of the states disabled now.
    public var disabledStates: IDSet { IDSet((idleStates ?? []).filter(\.disabled).map(\.index)) }
}

/// `cpuidle/stateN`: `name`, exit `latency` in microseconds, `disable`.
public struct IdleState: Codable, Sendable, Hashable {
    public var index: Int
    public var name: String
    public var latency: Int
    public var disabled: Bool

    public init(index: Int, name: String, latency: Int, disabled: Bool) {
        self.index = index
        self.name = name
        self.latency = latency
        self.disabled = disabled
    }
}

/// `cpufreq/` of one CPU (its policy's files), frequencies in kHz as sysfs
/// gives them.
public struct CPUFrequency: Codable, Sendable, Hashable {
    public var governor: String?
    public var governors: [String]
    /// `scaling_min_freq`, `scaling_max_freq`.
    public var minimum: Int?
    public var maximum: Int?
    /// `cpuinfo_min_freq`, `cpuinfo_max_freq`: what the hardware can do.
    public var hardwareMinimum: Int?
    public var hardwareMaximum: Int?
    /// The CPUs that share this policy (`related_cpus`): one write sets them all.
    public var policyCPUs: CPUSet?

    public init(
        governor: String? = nil, governors: [String] = [], minimum: Int? = nil, maximum: Int? = nil,
        hardwareMinimum: Int? = nil, hardwareMaximum: Int? = nil, policyCPUs: CPUSet? = nil
    ) {
        self.governor = governor
        self.governors = governors
        self.minimum = minimum
        self.maximum = maximum
        self.hardwareMinimum = hardwareMinimum
        self.hardwareMaximum = hardwareMaximum
        self.policyCPUs = policyCPUs
    }
}

/// The kernel command line for the next boot: the file sosplan writes its
/// arguments to and what it holds now.
public struct BootArgumentsState: Codable, Sendable, Hashable {
    /// How the host boots: `grub` (Debian's `/etc/default/grub.d/*.cfg`).
    public var loader: String
    /// sosplan's drop-in, as a path on the host.
    public var path: String
    /// The arguments the drop-in adds; empty when there is none.
    public var arguments: [String]

    public init(loader: String, path: String, arguments: [String] = []) {
        self.loader = loader
        self.path = path
        self.arguments = arguments
    }
}
