/// The kubelet as sosplan observed it on the host: its configuration file
/// and its CPU manager's state file. Part of the snapshot only when either
/// was found, so a host without a kubelet snapshots (and plans) as before.
/// What changes as pods come and go (which container holds which CPU) is
/// not kept: the planner needs only the CPUs the state accounts for, which
/// stay the same until the kubelet starts afresh.
public struct KubeletObservation: Codable, Sendable, Hashable {
    /// The slice the kubelet's pods run in with the systemd cgroup driver
    /// (`cgroupDriver: systemd`, the default `cgroupRoot`).
    public static let podsSlice = "kubepods.slice"
    /// The kubelet's unit as kubeadm's and the distributions' packages name it.
    public static let defaultUnit = "kubelet.service"
    /// The CPU manager's state file in the kubelet's root directory.
    public static let cpuManagerStateFileName = "cpu_manager_state"

    /// The systemd unit running the kubelet.
    public var unit: String
    /// The configuration file read, as the host names it; nil when there
    /// was none (the kubelet's defaults apply).
    public var configFile: String?
    public var configuration: KubeletConfiguration?
    /// The CPU manager's state file, when there is one.
    public var cpuManagerState: CPUManagerState?

    public init(
        unit: String = KubeletObservation.defaultUnit, configFile: String? = nil,
        configuration: KubeletConfiguration? = nil, cpuManagerState: CPUManagerState? = nil
    ) {
        self.unit = unit
        self.configFile = configFile
        self.configuration = configuration
        self.cpuManagerState = cpuManagerState
    }

    public struct CPUManagerState: Codable, Sendable, Hashable {
        /// The file as the host names it (what a `kubelet.clear-cpu-state` step removes).
        public var file: String
        public var policyName: String
        /// The default set and every assignment together (`knownCPUs`).
        public var cpus: CPUSet

        public init(file: String, policyName: String, cpus: CPUSet) {
            self.file = file
            self.policyName = policyName
            self.cpus = cpus
        }
    }

    /// The configuration in force: the file's, or the kubelet's defaults.
    public var effectiveConfiguration: KubeletConfiguration { configuration ?? KubeletConfiguration() }

    /// True when a `static` CPU manager keeps a state file the kubelet
    /// checks at its next start.
    public var hasStaticCPUState: Bool { cpuManagerState?.policyName == "static" }

    /// The CPUs the kubelet's CPU manager would accept in its state file
    /// when it starts with `online` CPUs: `validateState`'s `allCPUs` (the
    /// online CPUs, less the reserved ones under `strict-cpu-reservation`).
    public func acceptedStateCPUs(online: CPUSet) -> CPUSet {
        let config = effectiveConfiguration
        guard config.strictCPUReservation, let reserved = config.reservedSystemCPUs else { return online }
        return online.subtracting(reserved)
    }
}

extension HostLayout {
    /// The service that confines the kubelet's pods: a Linux service whose
    /// slice is `kubepods.slice` (an `existingSlice`).
    public var kubeletService: ServiceSpec? {
        services.first { $0.slice == KubeletObservation.podsSlice && $0.stack == .linux }
    }
}
