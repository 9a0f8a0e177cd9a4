import FoundationEssentials
import SosplanCore
import SosplanDrivers

/// Where a run finds its host: what the command line's host options say,
/// without the command line.
public struct HostConfiguration: Sendable {
    /// `/` for this machine, or a snapshot folder / the sandbox's root.
    public var root: String
    /// The bus named by `--systemd-bus` (nil: the system bus).
    public var systemdBus: String?
    /// False for `--no-systemd`, and for a snapshot folder without a named bus.
    public var usesSystemd: Bool
    public var unitDirectory: String
    public var stateDirectory: StateDirectory
    /// Where the topology of offline CPUs is remembered (nil: nowhere).
    public var topologyCache: StateDirectory?
    public var toolsDirectory: String?
    public var podman: PodmanDriver
    /// The kubelet's configuration and state files (looked for under `root`).
    public var kubelet: KubeletFiles
    /// This node's Slurm (nil: not a Slurm node to sosplan).
    public var slurm: SlurmConfiguration?

    public init(
        root: String, systemdBus: String?, usesSystemd: Bool, unitDirectory: String, stateDirectory: StateDirectory,
        topologyCache: StateDirectory?, toolsDirectory: String?, podman: PodmanDriver, kubelet: KubeletFiles? = nil,
        slurm: SlurmConfiguration? = nil
    ) {
        self.slurm = slurm
        self.root = root
        self.systemdBus = systemdBus
        self.usesSystemd = usesSystemd
        self.unitDirectory = unitDirectory
        self.stateDirectory = stateDirectory
        self.topologyCache = topologyCache
        self.toolsDirectory = toolsDirectory
        self.podman = podman
        self.kubelet = kubelet ?? KubeletFiles(root: root)
    }

    public var observesLiveMachine: Bool { root == "/" }
}

/// The host of one run, composed once: one connection to systemd, shared
/// by observing and changing it, made when first needed; the co-kernels
/// probed once; every observation made from these. A machine without a
/// system bus still observes (a warning says systemd was not observed)
/// unless a bus was named, which must then answer.
public final class LiveHost {
    public let configuration: HostConfiguration
    public init(_ configuration: HostConfiguration) { self.configuration = configuration }

    private var connection: Result<SDBusSystemdDriver, SystemdError>?

    /// The one connection to systemd, or why there is none; nil when the
    /// configuration leaves systemd out.
    public var systemd: Result<SDBusSystemdDriver, SystemdError>? {
        guard configuration.usesSystemd else { return nil }
        if let connection { return connection }
        let made: Result<SDBusSystemdDriver, SystemdError>
        do {
            made = .success(try SDBusSystemdDriver(
                busAddress: configuration.systemdBus, unitDirectory: URL(fileURLWithPath: configuration.unitDirectory)))
        } catch { made = .failure(error) }
        connection = made
        return made
    }

    private lazy var probed = EnclaveDrivers.probe(
        configuration: enclaveToolConfiguration, stateDirectory: configuration.stateDirectory)

    public var enclaveToolConfiguration: EnclaveToolConfiguration {
        EnclaveToolConfiguration(toolsDirectory: configuration.toolsDirectory, root: configuration.root)
    }

    /// The co-kernels this host has (tools and kernel side both there).
    public var enclaveDrivers: [any EnclaveDriver] { probed.drivers }

    /// What each co-kernel can do: the installed drivers' values (which may
    /// refine granularity from the host), the known ones for the others.
    public var capabilities: [EnclaveDriverKind: EnclaveCapabilities] {
        var caps = EnclaveCapabilities.known
        for driver in probed.drivers { caps[driver.driver] = driver.capabilities }
        return caps
    }

    /// sysfs + libnuma on the live machine, sysfs alone under a root.
    func topologyProbe() -> any TopologyProbe {
        if configuration.observesLiveMachine { return LiveTopologyProbe(stateDirectory: configuration.topologyCache) }
        return SysfsTopologyProbe(root: configuration.root, stateDirectory: configuration.topologyCache)
    }

    /// The observer of this host, reading `unitNames` from systemd too.
    public func observer(unitNames: [String] = []) -> HostObserver {
        var observer = HostObserver(topology: topologyProbe(), enclaves: probed.drivers, unitNames: unitNames)
        observer.notes = probed.notes
        observer.kubelet = KubeletProbe(files: configuration.kubelet)
        observer.slurm = configuration.slurm?.nodeConfig.map { SlurmNodeFile(path: $0) }
        let units = UnitDirectory(url: URL(fileURLWithPath: configuration.unitDirectory))
        observer.kernel = LinuxKernelProbe(
            root: configuration.root, stateDirectory: configuration.stateDirectory, irqbalanceBan: { IRQBalanceDropIn.ban(in: units) })
        switch systemd {
        case .none:
            break
        case .success(let driver)?:
            observer.systemd = driver
        case .failure(let error)?:
            observer.systemd = UnreachableSystemd(error: error)
        }
        if configuration.usesSystemd {
            observer.systemdRequired = configuration.systemdBus != nil
            observer.containers = configuration.podman
        }
        return observer
    }

    /// Observes the host now.
    public func observe(unitNames: [String] = []) throws -> HostSnapshot {
        try observer(unitNames: unitNames).observe()
    }

    /// What `apply` changes the host through, from the same connection and drivers.
    public func applyHost() -> ApplyHost {
        var control: (any SystemdControl)?
        if case .success(let driver)? = systemd { control = driver }
        let host = ApplyHost(
            systemd: control, root: configuration.root, enclaves: probed.drivers, capabilities: capabilities,
            launchers: LauncherPaths(toolsDirectory: configuration.toolsDirectory), podman: configuration.podman,
            stateDirectory: configuration.stateDirectory, observe: { [self] names in try observe(unitNames: names) })
        host.slurm = configuration.slurm
        return host
    }
}

/// A systemd that could not be reached: observing it fails with why.
struct UnreachableSystemd: SystemdStateSource {
    var error: SystemdError
    func observeSystemd(unitNames: [String]) throws -> SystemdState { throw error }
}
