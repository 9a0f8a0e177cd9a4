import Foundation

/// A real one-node Slurm for integration tests, run by `scripts/slurm-lab`
/// on this machine's CPUs. `SlurmLab.shared()` is the lab the environment
/// names (`.ci/run` starts one and exports `SOSPLAN_SLURM_LAB_DIR`), or one
/// this test process starts once and stops at exit (and, through
/// `--watch-pid`, when the process dies). The node is this host, so one
/// lab runs per machine: tests that use it run one at a time
/// (`SlurmLab.serial`).
public final class SlurmLab: Sendable {
    public let directory: String
    public let node: String
    public let owned: Bool

    public static var script: URL { RepositoryPaths.scripts.appendingPathComponent("slurm-lab") }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    init(directory: String, node: String, owned: Bool) {
        self.directory = directory
        self.node = node
        self.owned = owned
    }

    /// The drop-in slurm.conf includes for the node's line.
    public var nodeConfig: String { directory + "/node.conf" }
    public var slurmConf: String { directory + "/slurm.conf" }
    public var daemonControl: String { directory + "/daemonctl" }

    /// What `sosplan` needs to manage this node (its host options' variables).
    public var sosplanEnvironment: [String: String] {
        ["SOSPLAN_SLURM_NODE_CONFIG": nodeConfig, "SOSPLAN_SLURM_DAEMONCTL": daemonControl, "SLURM_CONF": slurmConf]
    }

    /// Why no lab can run here, or nil.
    public static let unavailableReason: String? = {
        if environmentLab != nil { return nil }
        if geteuid() != 0 { return "the Slurm lab runs slurmctld, slurmd and munged as root" }
        for tool in ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", "/usr/bin/srun", "/usr/bin/scontrol"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) is missing (apt-get install slurm-wlm munge)"
        }
        return nil
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    static let environmentLab: SlurmLab? = {
        let env = ProcessInfo.processInfo.environment
        guard let dir = env["SOSPLAN_SLURM_LAB_DIR"], !dir.isEmpty, let node = env["SOSPLAN_SLURM_NODE"] else { return nil }
        return SlurmLab(directory: dir, node: node, owned: false)
    }()

    private static let sharedResult: Result<SlurmLab, Failure> = {
        if let lab = environmentLab { return .success(lab) }
        let dir = "/var/tmp/sosplan-labs/slurm-test-\(getpid())"
        do {
            let r = try CommandRunner.run(script, ["start", "--dir", dir, "--watch-pid", "\(getpid())"])
            guard r.status == 0 else { return .failure(Failure(description: "slurm-lab start failed: \(r.stderr)")) }
            let node = r.stdout.split(separator: "\n").first { $0.hasPrefix("export SOSPLAN_SLURM_NODE=") }
                .map { String($0.dropFirst("export SOSPLAN_SLURM_NODE=".count)) } ?? ""
            atexit { SlurmLab.stopSharedAtExit() }
            return .success(SlurmLab(directory: dir, node: node, owned: true))
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    public static func shared() throws -> SlurmLab { try sharedResult.get() }

    private static func stopSharedAtExit() {
        if case .success(let lab) = sharedResult, lab.owned {
            _ = try? CommandRunner.run(script, ["stop", "--purge", "--dir", lab.directory])
        }
    }

    /// Tests that use the lab take this lock: one Slurm node per machine.
    /// A test that also needs `LiveCPU`'s lock takes that one first
    /// (outside this), as every suite does: the other order deadlocks.
    public static func serial<T>(_ body: () throws -> T) rethrows -> T {
        let fd = open("/tmp/sosplan-slurm-lab.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        if fd >= 0 { while flock(fd, LOCK_EX) != 0 && errno == EINTR {} }
        defer { if fd >= 0 { close(fd) } }
        return try body()
    }

    /// Runs a Slurm client (`srun`, `scontrol`, `sbatch`...) against the lab.
    public func run(_ tool: String, _ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/" + tool), arguments, environment: ["SLURM_CONF": slurmConf, "LC_ALL": "C"])
    }

    /// The CPUs a one-task job step is allowed (`Cpus_allowed_list` of its
    /// `/proc/self/status`); srun exits 0 even when its task cannot start,
    /// so the line itself is required.
    public func jobCPUs(_ extra: [String] = []) throws -> String {
        let r = try run("srun", ["-n1", "--time=1"] + extra + ["grep", "Cpus_allowed_list", "/proc/self/status"])
        guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else {
            throw Failure(description: "srun printed no Cpus_allowed_list (exit \(r.status)): \(r.stdout) \(r.stderr)")
        }
        return line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
    }

    /// `State=` of the node (`IDLE`, `IDLE+DRAIN`...), or nil when slurmctld does not answer.
    public func nodeState() throws -> String? {
        let r = try run("scontrol", ["--oneliner", "show", "node", node])
        guard r.status == 0 else { return nil }
        return r.stdout.split(separator: " ").first { $0.hasPrefix("State=") }.map { String($0.dropFirst("State=".count)) }
    }

    /// Restarts the daemons so they read the node line again, in the
    /// order that never drains the node (slurmd down, slurmctld restarted,
    /// slurmd up), and waits until the node is idle; false if it is not.
    @discardableResult
    public func restartDaemons() throws -> Bool {
        for (action, daemon) in [("stop", "slurmd"), ("restart", "slurmctld"), ("start", "slurmd")] {
            _ = try CommandRunner.run(URL(fileURLWithPath: daemonControl), [action, daemon])
        }
        return Poll.until(timeout: 60, interval: 0.2) { ((try? nodeState()) ?? nil) == "IDLE" }
    }

    /// One field of `scontrol show node` (`CPUTot`, `CPUSpecList`...).
    public func nodeField(_ name: String) throws -> String? {
        let r = try run("scontrol", ["--oneliner", "show", "node", node])
        return r.stdout.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }
}

/// Polls the node's state on a thread of its own and keeps every state it
/// saw, so a test can say the node was never drained or invalid meanwhile.
public final class SlurmStateSampler: @unchecked Sendable {
    private let lab: SlurmLab
    private let lock = NSLock()
    private var seen: [String] = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    public init(_ lab: SlurmLab) {
        self.lab = lab
        Thread.detachNewThread { [self] in
            while isRunning {
                let state = (try? lab.nodeState()) ?? nil
                lock.lock(); seen.append(state ?? "(no answer)"); lock.unlock()
                usleep(100_000)
            }
            done.signal()
        }
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }

    /// Stops sampling; returns the distinct states seen, in order of first sight.
    public func stop() -> [String] {
        lock.lock(); running = false; lock.unlock()
        done.wait()
        lock.lock(); defer { lock.unlock() }
        var out: [String] = []
        for s in seen where !out.contains(s) { out.append(s) }
        return out
    }

    /// States that are not IDLE, ALLOCATED or MIXED (a drain, an invalid
    /// registration, a node down). Not counted: slurmctld not answering
    /// while it restarts, and a bare `UNKNOWN`, which slurmctld 22.05 shows
    /// from a restart with a new `CPUs=` until slurmd registers (it does not
    /// restore the saved state of a node whose CPU count changed; a few
    /// tenths of a second here; jobs submitted meanwhile wait).
    public static func unschedulable(_ states: [String]) -> [String] {
        states.filter { s in
            guard s != "(no answer)", s != "UNKNOWN" else { return false }
            let flags = s.split(separator: "+").map(String.init)
            guard let base = flags.first, ["IDLE", "ALLOCATED", "MIXED", "COMPLETING"].contains(base) else { return true }
            return flags.contains { ["DRAIN", "DRAINED", "DRAINING", "INVALID", "INVALID_REG", "DOWN", "FAIL"].contains($0) }
        }
    }
}
