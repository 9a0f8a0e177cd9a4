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
        return observer
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
