/// `spec.isolation`: where the kernel's own work goes when services are
/// `isolated` (no movable device interrupt and no unbound kernel work on
/// their CPUs), and the boot arguments computed for those CPUs.
public struct IsolationSpec: Sendable, Hashable {
    /// Where the IRQs that could land on isolated CPUs go.
    public enum Work: String, Sendable, CaseIterable {
        /// To the host's CPUs (`host.cpus`): the housekeeping CPUs.
        case host
        /// Left where they are.
        case unchanged
    }

    public enum IRQBalance: String, Sendable, CaseIterable {
        /// A drop-in for `irqbalance.service` gives it the isolated CPUs as
        /// `IRQBALANCE_BANNED_CPULIST` (irqbalance restarts if it runs).
        case ban
        /// irqbalance is stopped (and started again when nothing is isolated).
        case stop
        case unchanged
    }

    public var irqs: Work
    public var workqueues: Work
    public var irqbalance: IRQBalance
    /// Arguments for the next boot, computed for the isolated CPUs.
    public var kernelArgs: [KernelArgument]
    /// True when the layout wrote `spec.isolation` (for checks that warn
    /// about settings with nothing to act on).
    public var written: Bool
    public var marks: SourceMarks

    public init(
        irqs: Work = .host, workqueues: Work = .host, irqbalance: IRQBalance = .ban, kernelArgs: [KernelArgument] = [],
        written: Bool = false, marks: SourceMarks = SourceMarks()
    ) {
        self.irqs = irqs
        self.workqueues = workqueues
        self.irqbalance = irqbalance
        self.kernelArgs = kernelArgs
        self.written = written
        self.marks = marks
    }
}

/// One kernel argument of `spec.isolation.kernelArgs`. Its CPU list is not
/// written in the layout: it is computed from where the isolated services
/// are placed (`nohz_full=3-7`), or the host's CPUs for the housekeeping
/// ones (`irqaffinity=0-1`).
public struct KernelArgument: Sendable, Hashable, CustomStringConvertible {
    public enum Name: String, Sendable, CaseIterable {
        /// No scheduler tick on the isolated CPUs while they run one task.
        case nohzFull = "nohz_full"
        /// RCU callbacks of the isolated CPUs run elsewhere.
        case rcuNocbs = "rcu_nocbs"
        /// `isolcpus=[flags,]CPUs`: flags `domain`, `managed_irq`, `nohz`.
        case isolcpus
        /// Default affinity of IRQs at boot: the host's CPUs.
        case irqaffinity
        /// Where kernel threads may run at boot: the host's CPUs.
        case kthreadCPUs = "kthread_cpus"

        /// True when the argument lists the host's CPUs rather than the isolated ones.
        public var listsHostCPUs: Bool { self == .irqaffinity || self == .kthreadCPUs }
    }

    public static let isolcpusFlags = ["domain", "managed_irq", "nohz"]

    public var name: Name
    /// `isolcpus` flags, in the order written.
    public var flags: [String]
    public var mark: SourceMark?

    public init(_ name: Name, flags: [String] = [], mark: SourceMark? = nil) {
        self.name = name
        self.flags = flags
        self.mark = mark
    }

    /// As written in the layout (`isolcpus=managed_irq,domain`).
    public var description: String { flags.isEmpty ? name.rawValue : "\(name.rawValue)=\(flags.joined(separator: ","))" }

    /// The argument for the kernel command line.
    public func rendered(isolated: CPUSet, host: CPUSet) -> String {
        let cpus = name.listsHostCPUs ? host : isolated
        return "\(name.rawValue)=" + (flags + [cpus.description]).joined(separator: ",")
    }

    public static func == (a: KernelArgument, b: KernelArgument) -> Bool { a.name == b.name && a.flags == b.flags }
    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(flags)
    }
}

extension HostLayout {
    /// irqbalance's unit, when the layout isolates CPUs or speaks of isolation
    /// (its ban or stop is planned from the unit's state).
    var isolationUnitNames: [String] {
        isolation.written || services.contains(where: \.isolated) ? [KernelObject.irqbalanceUnit] : []
    }
}
