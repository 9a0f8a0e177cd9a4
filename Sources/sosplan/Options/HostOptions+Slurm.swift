import SosplanCommandLine
import SosplanCore
import SosplanDrivers

/// This node's Slurm, as `--slurm-node-config`/`--slurm-daemon-control` (or
/// their environment variables) name it; nil without a node config.
extension HostOptions {
    var slurmNodeConfig: String? { slurmNodeConfigOption ?? Self.environment("SOSPLAN_SLURM_NODE_CONFIG") }
    var slurmDaemonControl: String { slurmDaemonControlOption ?? Self.environment("SOSPLAN_SLURM_DAEMONCTL") ?? "/usr/bin/systemctl" }

    var slurmConfiguration: SlurmConfiguration? {
        guard let file = slurmNodeConfig.flatMap(StepTarget.absolutePath) else { return nil }
        return SlurmConfiguration(
            nodeConfig: file, daemonControl: slurmDaemonControl, slurmConf: Self.environment("SLURM_CONF"),
            cpusetRoot: observesLiveMachine ? "/sys/fs/cgroup/cpuset" : nil)
    }

    func validateSlurmPaths() throws {
        for (option, path) in [("--slurm-node-config", slurmNodeConfig), ("--slurm-daemon-control", slurmDaemonControl)] {
            guard let path, StepTarget.absolutePath(path) == nil else { continue }
            throw UsageError("\(option) must be an absolute path without '.', '..' or empty parts")
        }
    }
}
