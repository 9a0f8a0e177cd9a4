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

    func makeObserver() -> HostObserver {
        HostObserver(topology: makeTopologyProbe())
    }
}
