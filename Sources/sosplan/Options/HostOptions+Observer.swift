import Foundation
import SosplanCore
import SosplanDrivers

/// How the CLI builds its `HostObserver`: one place, so the systemd and
/// enclave sources are added here too.
extension HostOptions {
    /// True when observing this machine rather than a snapshot folder.
    var observesLiveMachine: Bool { root == nil || root == "/" }

    var stateDirectory: StateDirectory { StateDirectory(path: stateDir) }

    /// Where the topology of offline CPUs is remembered. Observing a
    /// snapshot folder uses a state directory only when one is given
    /// explicitly, so a fixture never lands in this machine's cache.
    var topologyCacheDirectory: StateDirectory? {
        observesLiveMachine || stateDir != StateDirectory.defaultPath ? stateDirectory : nil
    }

    /// sysfs + libnuma on the live machine, sysfs alone under `--root`.
    func makeTopologyProbe() -> any TopologyProbe {
        if observesLiveMachine { return LiveTopologyProbe(stateDirectory: topologyCacheDirectory) }
        return SysfsTopologyProbe(root: root ?? "/", stateDirectory: topologyCacheDirectory)
    }

    /// Co-kernel tools from `--tools-dir` (or $PATH), their kernel files under `--root`.
    var enclaveToolConfiguration: EnclaveToolConfiguration {
        EnclaveToolConfiguration(toolsDirectory: toolsDir, root: root ?? "/")
    }

    /// The observer of this host: topology, and the co-kernels that are
    /// installed; `unitNames` are units a layout names.
    func makeObserver(unitNames: [String] = []) -> HostObserver {
        let enclaves = EnclaveDrivers.probe(configuration: enclaveToolConfiguration, stateDirectory: stateDirectory)
        var observer = HostObserver(topology: makeTopologyProbe(), enclaves: enclaves.drivers, unitNames: unitNames)
        observer.notes = enclaves.notes
        // systemd belongs to the live machine; a snapshot folder gets one only when its bus is named.
        if !noSystemd && (observesLiveMachine || systemdBus != nil) {
            observer.systemd = ConnectingSystemdSource(busAddress: systemdBus, unitDirectory: URL(fileURLWithPath: unitDir))
            observer.systemdRequired = systemdBus != nil
            observer.containers = podmanDriver
        }
        return observer
    }

    /// podman as the options say; checked before it runs anything.
    var podmanDriver: PodmanDriver {
        // SOSPLAN_PODMAN_PROC: the /proc where podman's PIDs live, when podman runs in other PID
        // namespaces (the sandbox's lab); only read from, never passed on.
        PodmanDriver(configuration: PodmanConfiguration(
            program: podman, runtime: containerRuntime, containersConf: containersConf,
            procRoot: Self.environment("SOSPLAN_PODMAN_PROC") ?? "/proc"))
    }

    /// What each co-kernel can do: the installed drivers' values (which may
    /// refine granularity from the host), the known ones for the others.
    func enclaveCapabilities() -> [EnclaveDriverKind: EnclaveCapabilities] {
        var caps = EnclaveCapabilities.known
        for driver in EnclaveDrivers.available(configuration: enclaveToolConfiguration, stateDirectory: stateDirectory) {
            caps[driver.driver] = driver.capabilities
        }
        return caps
    }
}

/// Connects to systemd only when observing, so that a machine without a
/// system bus observes fine (a warning says systemd was not observed) unless
/// `--systemd-bus` named one, which must then answer.
struct ConnectingSystemdSource: SystemdStateSource {
    var busAddress: String?
    var unitDirectory: URL

    func observeSystemd(unitNames: [String]) throws -> SystemdState {
        try SDBusSystemdDriver(busAddress: busAddress, unitDirectory: unitDirectory).observeSystemd(unitNames: unitNames)
    }
}
