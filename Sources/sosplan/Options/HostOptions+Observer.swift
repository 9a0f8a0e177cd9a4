import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// The host options as a `HostConfiguration`: the host is composed from
/// it once per run (`LiveHost`), below the command line.
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

    var hostConfiguration: HostConfiguration {
        HostConfiguration(
            root: root ?? "/", systemdBus: systemdBus,
            // systemd belongs to the live machine; a snapshot folder gets one only when its bus is named.
            usesSystemd: !noSystemd && (observesLiveMachine || systemdBus != nil), unitDirectory: unitDir,
            stateDirectory: stateDirectory, topologyCache: topologyCacheDirectory, toolsDirectory: toolsDir,
            podman: podmanDriver, kubelet: kubeletFiles, slurm: slurmConfiguration)
    }

    /// The kubelet's files: host paths, read under the root. A path that is
    /// not absolute and plain names nothing there (and is not looked for).
    var kubeletFiles: KubeletFiles {
        let plain = { (path: String, fallback: String) in StepTarget.absolutePath(path) ?? fallback }
        return KubeletFiles(
            root: root ?? "/", configFile: plain(kubeletConfig, KubeletFiles.defaultConfigFile),
            directory: kubeletDir == "/" ? "" : plain(kubeletDir, KubeletFiles.defaultDirectory))
    }

    /// Refuses kubelet paths that are not absolute and plain.
    func validateKubeletPaths() throws {
        for (option, path) in [("--kubelet-config", kubeletConfig), ("--kubelet-dir", kubeletDir)] where path != "/" {
            guard StepTarget.absolutePath(path) != nil else {
                throw UsageError("\(option) must be an absolute path without '.', '..' or empty parts")
            }
        }
    }

    /// This run's host (one systemd connection, one co-kernel probe).
    func liveHost() -> LiveHost { LiveHost(hostConfiguration) }

    /// podman as the options say; checked before it runs anything.
    var podmanDriver: PodmanDriver {
        // SOSPLAN_PODMAN_PROC: the /proc where podman's PIDs live, when podman runs in other PID
        // namespaces (the sandbox's lab); only read from, never passed on.
        PodmanDriver(configuration: PodmanConfiguration(
            program: podman, runtime: containerRuntime, containersConf: containersConf,
            procRoot: Self.environment("SOSPLAN_PODMAN_PROC") ?? "/proc"))
    }
}
