import FoundationEssentials
import Glibc
import SosplanCommandLine
import SosplanCore
import SosplanDrivers

/// Where the host state comes from and where sosplan keeps its own state;
/// shared by `observe`, `plan`, `show` and `apply`. Each option can also
/// come from the environment (`SOSPLAN_ROOT`, `SOSPLAN_SYSTEMD_BUS`,
/// `SOSPLAN_UNIT_DIR`, `SOSPLAN_STATE_DIR`, `SOSPLAN_TOOLS_DIR`,
/// `SOSPLAN_PODMAN`, `SOSPLAN_CONTAINER_RUNTIME`, `SOSPLAN_CONTAINERS_CONF`,
/// `SOSPLAN_KUBELET_CONFIG`, `SOSPLAN_KUBELET_DIR`), so inside
/// the sandbox the commands are the ones typed on a real host; an option on
/// the command line wins over the environment.
struct HostOptions {
    static let options: [OptionSpec] = [
        .value("root", "DIR", help: "Read /sys and /proc under DIR instead of / (e.g. a snapshot folder). [env: SOSPLAN_ROOT]", completion: .directory),
        .value("systemd-bus", "ADDRESS", help: "Address of systemd's bus (default: the system bus, or $DBUS_SYSTEM_BUS_ADDRESS). [env: SOSPLAN_SYSTEMD_BUS]"),
        .flag("no-systemd", help: "Do not read systemd's state."),
        .value("unit-dir", "DIR", help: "Directory for unit files and drop-ins (default: /etc/systemd/system). [env: SOSPLAN_UNIT_DIR]", completion: .directory),
        .value("state-dir", "DIR", help: "sosplan's state: caches, enclave registry, journal, lock (default: /var/lib/sosplan). [env: SOSPLAN_STATE_DIR]", completion: .directory),
        .value("tools-dir", "DIR", help: "Find co-kernel tools (ihkconfig, ihkosctl, pisces_*, lwkctl) and launchers in DIR instead of $PATH. [env: SOSPLAN_TOOLS_DIR]", completion: .directory),
        .value("podman", "PATH", help: "The podman program for container services, run by sosplan and by their units (default: /usr/bin/podman). [env: SOSPLAN_PODMAN]", completion: .file),
        .value("container-runtime", "NAME", help: "OCI runtime of container services unless the layout names one: auto (runc on v1/hybrid cgroups, where crun fails; else podman's default), or a name such as runc or crun. [env: SOSPLAN_CONTAINER_RUNTIME]"),
        .value("containers-conf", "FILE", help: "A containers.conf for podman, in sosplan's runs and in the units (CONTAINERS_CONF). [env: SOSPLAN_CONTAINERS_CONF]", completion: .file),
        .value("kubelet-config", "FILE", help: "The kubelet's configuration file, read under --root (default: /var/lib/kubelet/config.yaml). [env: SOSPLAN_KUBELET_CONFIG]", completion: .file),
        .value("kubelet-dir", "DIR", help: "The kubelet's root directory, holding cpu_manager_state, read under --root (default: /var/lib/kubelet). [env: SOSPLAN_KUBELET_DIR]", completion: .directory),
        .value("slurm-node-config", "FILE", help: "sosplan's slurm.conf drop-in for this node's line (slurm.conf: Include FILE); a layout's spec.slurm needs it. [env: SOSPLAN_SLURM_NODE_CONFIG]", completion: .file),
        .value("slurm-daemon-control", "PROGRAM", help: "The program that starts and stops slurmd and slurmctld, run as PROGRAM start|stop|restart DAEMON (default: /usr/bin/systemctl). [env: SOSPLAN_SLURM_DAEMONCTL]", completion: .file),
    ]

    var rootOption: String?
    var systemdBusOption: String?
    var noSystemd = false
    var unitDirOption: String?
    var stateDirOption: String?
    var toolsDirOption: String?
    var podmanOption: String?
    var containerRuntimeOption: String?
    var containersConfOption: String?
    var kubeletConfigOption: String?
    var kubeletDirOption: String?
    var slurmNodeConfigOption: String?
    var slurmDaemonControlOption: String?

    init(_ p: ParsedCommand) {
        rootOption = p.value("root")
        systemdBusOption = p.value("systemd-bus")
        noSystemd = p.flag("no-systemd")
        unitDirOption = p.value("unit-dir")
        stateDirOption = p.value("state-dir")
        toolsDirOption = p.value("tools-dir")
        podmanOption = p.value("podman")
        containerRuntimeOption = p.value("container-runtime")
        containersConfOption = p.value("containers-conf")
        kubeletConfigOption = p.value("kubelet-config")
        kubeletDirOption = p.value("kubelet-dir")
        slurmNodeConfigOption = p.value("slurm-node-config")
        slurmDaemonControlOption = p.value("slurm-daemon-control")
    }

    func validate() throws {
        try validateKubeletPaths()
        try validateSlurmPaths()
    }

    /// One variable by `getenv`: `ProcessInfo.processInfo.environment` builds
    /// a dictionary of the whole environment on every call (an observe asked
    /// it ~15 times, 9% of its CPU).
    static func environment(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let v = String(cString: p)
        return v.isEmpty ? nil : v
    }

    var root: String? { rootOption ?? Self.environment("SOSPLAN_ROOT") }
    var systemdBus: String? { systemdBusOption ?? Self.environment("SOSPLAN_SYSTEMD_BUS") }
    var unitDir: String { unitDirOption ?? Self.environment("SOSPLAN_UNIT_DIR") ?? "/etc/systemd/system" }
    var stateDir: String { stateDirOption ?? Self.environment("SOSPLAN_STATE_DIR") ?? "/var/lib/sosplan" }
    var toolsDir: String? { toolsDirOption ?? Self.environment("SOSPLAN_TOOLS_DIR") }
    var podman: String { podmanOption ?? Self.environment("SOSPLAN_PODMAN") ?? PodmanConfiguration.defaultProgram }
    var containerRuntime: String { containerRuntimeOption ?? Self.environment("SOSPLAN_CONTAINER_RUNTIME") ?? "auto" }
    var containersConf: String? { containersConfOption ?? Self.environment("SOSPLAN_CONTAINERS_CONF") }
    var kubeletConfig: String { kubeletConfigOption ?? Self.environment("SOSPLAN_KUBELET_CONFIG") ?? KubeletFiles.defaultConfigFile }
    var kubeletDir: String { kubeletDirOption ?? Self.environment("SOSPLAN_KUBELET_DIR") ?? KubeletFiles.defaultDirectory }
}
