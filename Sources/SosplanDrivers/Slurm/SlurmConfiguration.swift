/// Where this node's Slurm is: sosplan's drop-in for the node line, how
/// its daemons are started and stopped, and `scontrol`.
public struct SlurmConfiguration: Sendable, Hashable {
    /// The drop-in `slurm.conf` includes (`Include /etc/slurm/sosplan-node.conf`).
    public static let defaultNodeConfig = "/etc/slurm/sosplan-node.conf"

    /// The drop-in's absolute path; nil: this host is no Slurm node to sosplan.
    public var nodeConfig: String?
    /// The program that starts and stops a daemon, called as
    /// `PROGRAM stop|start|restart slurmd|slurmctld` (`systemctl` on a node
    /// under systemd; the Slurm lab's `daemonctl` in the tests).
    public var daemonControl: String
    public var scontrol: String
    /// `SLURM_CONF` for `scontrol` (nil: its default, /etc/slurm/slurm.conf).
    public var slurmConf: String?
    /// The v1 cpuset hierarchy slurmd's task/cgroup plugin uses (nil: none).
    public var cpusetRoot: String?
    /// How long the node may take to answer again after a restart.
    public var settleSeconds: Double

    public init(
        nodeConfig: String?, daemonControl: String = "/usr/bin/systemctl", scontrol: String = "/usr/bin/scontrol",
        slurmConf: String? = nil, cpusetRoot: String? = "/sys/fs/cgroup/cpuset", settleSeconds: Double = 20
    ) {
        self.nodeConfig = nodeConfig
        self.daemonControl = daemonControl
        self.scontrol = scontrol
        self.slurmConf = slurmConf
        self.cpusetRoot = cpusetRoot
        self.settleSeconds = settleSeconds
    }
}
