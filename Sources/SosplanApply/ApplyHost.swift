import FoundationEssentials
import SosplanCore
import SosplanDrivers

/// Everything the apply engine changes the host through, and how it looks
/// at the host again: systemd (over sd-bus, or the tests' in-memory one),
/// Linux hotplug and hugepage files under a root, the co-kernel drivers.
/// The same value serves a real host, the sandbox (a lab systemd, a
/// simulated sysfs, the simulators) and the engine's tests.
public final class ApplyHost {
    public var systemd: (any SystemdControl)?
    public var hotplug: LinuxHotplug
    public var hugepages: LinuxHugepages
    /// IRQs, workqueues, cpuidle, cpufreq, boot arguments, and the record of
    /// what they were before sosplan (in the state directory).
    public var kernel: KernelDrivers
    public var enclaves: [EnclaveDriverKind: any EnclaveDriver]
    public var capabilities: [EnclaveDriverKind: EnclaveCapabilities]
    /// Where the enclave launchers (`mcexec`, `yod`, `pisces_run`) are.
    public var launchers: LauncherPaths
    /// podman, for container services (nil: container steps fail and say why).
    public var podman: PodmanDriver?
    /// The kubelet's state file, under the host's root (`kubelet.clear-cpu-state`).
    public var kubeletFiles: KubeletFiles
    /// This node's Slurm (`slurm.node`); nil: slurm steps fail and say why.
    public var slurm: SlurmConfiguration?
    /// How the host is observed, reading systemd's state of these units too.
    private let observeHost: ([String]) throws -> HostSnapshot
    /// Observations made so far (a reconcile pass makes one).
    public private(set) var observations = 0
    /// How long a unit that was just started is watched.
    public var unitWatch = UnitWatch()
    /// Sysfs writes and co-kernel operations the engine made (D-Bus calls
    /// are counted by the systemd connection itself).
    public let counts = MutationCounts()

    public init(
        systemd: (any SystemdControl)?, root: String, enclaves: [any EnclaveDriver],
        capabilities: [EnclaveDriverKind: EnclaveCapabilities], launchers: LauncherPaths, podman: PodmanDriver? = nil,
        stateDirectory: StateDirectory? = nil, observe: @escaping ([String]) throws -> HostSnapshot
    ) {
        self.systemd = systemd
        hotplug = LinuxHotplug(root: root)
        hugepages = LinuxHugepages(root: root)
        kubeletFiles = KubeletFiles(root: root)
        kernel = KernelDrivers(root: root, state: stateDirectory)
        self.enclaves = Dictionary(enclaves.map { ($0.driver, $0) }, uniquingKeysWith: { a, _ in a })
        self.capabilities = capabilities
        self.launchers = launchers
        self.podman = podman
        observeHost = observe
    }

    /// The host as it is now, with systemd's state of `units` too.
    public func observe(_ units: [String]) throws -> HostSnapshot {
        observations += 1
        return try observeHost(units)
    }

    /// Mutating calls made so far, all kinds.
    public var mutations: MutationCounts.Totals {
        MutationCounts.Totals(
            dbus: systemd?.mutatingCallCount ?? 0, sysfsWrites: counts.sysfsWrites, enclaveOperations: counts.enclaveOperations)
    }
}

/// Counts of the changes the engine made, for the idempotence contract
/// ("a second apply makes no mutating call at all") and for reports.
public final class MutationCounts {
    public private(set) var sysfsWrites = 0
    public private(set) var enclaveOperations = 0

    func wrote(_ n: Int = 1) { sysfsWrites += n }
    func operated() { enclaveOperations += 1 }

    public struct Totals: Sendable, Hashable {
        public var dbus: Int
        public var sysfsWrites: Int
        public var enclaveOperations: Int

        public init(dbus: Int, sysfsWrites: Int, enclaveOperations: Int) {
            self.dbus = dbus
            self.sysfsWrites = sysfsWrites
            self.enclaveOperations = enclaveOperations
        }

        public var total: Int { dbus + sysfsWrites + enclaveOperations }

        public static func - (a: Totals, b: Totals) -> Totals {
            Totals(dbus: a.dbus - b.dbus, sysfsWrites: a.sysfsWrites - b.sysfsWrites, enclaveOperations: a.enclaveOperations - b.enclaveOperations)
        }
    }
}

/// The launcher of each co-kernel: found in the tools directory when one
/// is given (the simulators install theirs there), else its standard path.
public struct LauncherPaths: Sendable {
    public var toolsDirectory: String?

    public init(toolsDirectory: String?) { self.toolsDirectory = toolsDirectory }

    public func path(for driver: EnclaveDriverKind) -> String {
        let standard = EnclaveLaunchCommand.defaultLauncher(for: driver)
        guard let dir = toolsDirectory else { return standard }
        let local = URL(fileURLWithPath: dir).appendingPathComponent(PathComponents.last(standard)).path
        return FileManager.default.isExecutableFile(atPath: local) ? local : standard
    }
}
