import FoundationEssentials
import SosplanCore

/// How sosplan runs podman, on this host and in the units it writes:
/// `--podman`, `--container-runtime`, `--containers-conf` (or
/// `SOSPLAN_PODMAN`, `SOSPLAN_CONTAINER_RUNTIME`, `SOSPLAN_CONTAINERS_CONF`).
public struct PodmanConfiguration: Sendable, Hashable {
    public static let defaultProgram = "/usr/bin/podman"

    /// The podman program (absolute): what sosplan runs, and what the
    /// units' `ExecStart=` runs.
    public var program: String
    /// An OCI runtime for every container (`--runtime=`), unless a layout
    /// names one; `auto`: runc when the host's cgroups are v1 or hybrid
    /// (crun refuses those), else podman's own default.
    public var runtime: String
    /// A containers.conf for sosplan's podman runs and its units
    /// (`CONTAINERS_CONF=`); nil: podman's usual files.
    public var containersConf: String?
    /// Where the PIDs podman reports live: `/proc`, or in the sandbox the
    /// lab's (`SOSPLAN_PODMAN_PROC`, set by `scripts/systemd-lab --containers`).
    public var procRoot: String
    /// Seconds one podman run may take (`podman update`, `inspect`, `rm`).
    public var timeout: Double

    public init(
        program: String = defaultProgram, runtime: String = "auto", containersConf: String? = nil, procRoot: String = "/proc",
        timeout: Double = 120
    ) {
        self.program = program
        self.procRoot = procRoot
        self.runtime = runtime
        self.containersConf = containersConf
        self.timeout = timeout
    }

    /// What is wrong with these settings, or nil: they end up in unit files.
    public var problem: String? {
        if let p = ContainerValues.pathProblem(program, what: "the podman program") { return "--podman: \(p.message)" }
        if runtime != "auto", let p = ContainerValues.runtimeProblem(runtime) { return "--container-runtime: \(p.message)" }
        if let conf = containersConf, let p = ContainerValues.pathProblem(conf, what: "the containers.conf path") {
            return "--containers-conf: \(p.message)"
        }
        return nil
    }

    /// The runtime flag sosplan passes; nil leaves it to podman.
    public var resolvedRuntime: String? {
        guard runtime == "auto" else { return runtime }
        return Self.unifiedCgroups() ? nil : "runc"
    }

    /// True when `/sys/fs/cgroup` is cgroup v2 alone (not v1 or hybrid):
    /// the file system mounted there last, as `/proc/self/mounts` lists it.
    public static func unifiedCgroups(mounts: String? = nil) -> Bool {
        let text = mounts ?? (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        var type: Substring?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 2, fields[1] == "/sys/fs/cgroup" { type = fields[2] }
        }
        return type == "cgroup2"
    }

    /// The environment of podman runs: CONTAINERS_CONF when one is named.
    public var environment: [(String, String)] {
        containersConf.map { [("CONTAINERS_CONF", $0)] } ?? []
    }
}
