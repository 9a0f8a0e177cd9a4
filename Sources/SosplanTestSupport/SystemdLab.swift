import Foundation

/// A real systemd for integration tests, run by `scripts/systemd-lab`.
///
/// `SystemdLab.shared` is the lab named by the environment (`.ci/run` starts
/// one and exports `SOSPLAN_LAB_*`/`SOSPLAN_SYSTEMD_BUS`), or else one this
/// test process starts once and stops at exit. Tests that restart the lab or
/// change host-wide state start a private lab with `start(...)` and stop it
/// themselves; every lab started here also stops when the test process dies
/// (`--watch-pid`).
public final class SystemdLab: Sendable {
    public let name: String
    /// Exports of the lab (`SOSPLAN_LAB_PID`, `SOSPLAN_SYSTEMD_BUS`, ...).
    public let environment: [String: String]
    /// True if this process started the lab (and must stop it).
    public let owned: Bool
    let deny: [String]

    public var busAddress: String { environment["SOSPLAN_SYSTEMD_BUS"] ?? "" }
    /// The lab's `/etc/systemd/system` as a host path.
    public var unitDirectory: URL { URL(fileURLWithPath: environment["SOSPLAN_LAB_UNIT_DIR"] ?? "") }
    /// The lab systemd's PID on the host.
    public var pid: String { environment["SOSPLAN_LAB_PID"] ?? "" }

    public static var script: URL { RepositoryPaths.scripts.appendingPathComponent("systemd-lab") }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    init(name: String, environment: [String: String], owned: Bool, deny: [String]) {
        self.name = name
        self.environment = environment
        self.owned = owned
        self.deny = deny
    }

    /// Why no lab can run here (not root, no namespaces, no systemd), or nil.
    public static let unavailableReason: String? = {
        if environmentLab != nil { return nil }
        if geteuid() != 0 { return "a systemd lab needs root (namespaces and a cgroup)" }
        if !FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd") { return "systemd is not installed" }
        guard let r = try? CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/unshare"), ["--pid", "--fork", "--mount", "--cgroup", "/bin/true"])
        else { return "unshare (util-linux) is missing" }
        return r.status == 0 ? nil : "cannot create namespaces: \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
    }()

    /// True when lab tests can run.
    public static var isAvailable: Bool { unavailableReason == nil }

    /// The lab given by the environment, if any.
    static let environmentLab: SystemdLab? = {
        let env = ProcessInfo.processInfo.environment
        guard let bus = env["SOSPLAN_SYSTEMD_BUS"], !bus.isEmpty, env["SOSPLAN_LAB_UNIT_DIR"] != nil else { return nil }
        let mine = env.filter { $0.key.hasPrefix("SOSPLAN_LAB_") || $0.key == "SOSPLAN_SYSTEMD_BUS" }
        return SystemdLab(name: env["SOSPLAN_LAB_NAME"] ?? "external", environment: mine, owned: false, deny: [])
    }()

    private static let sharedResult: Result<SystemdLab, Failure> = {
        if let lab = environmentLab { return .success(lab) }
        do {
            let lab = try start(prefix: "shared")
            atexit { SystemdLab.stopSharedAtExit() }
            return .success(lab)
        } catch let e as Failure {
            return .failure(e)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    /// The lab shared by all tests of this process (see the type's comment).
    public static func shared() throws -> SystemdLab { try sharedResult.get() }

    private static func stopSharedAtExit() {
        if case .success(let lab) = sharedResult, lab.owned { lab.stop() }
    }

    /// Starts a private lab with a unique name.
    /// - Parameter deny: Manager methods the lab bus refuses (AccessDenied).
    public static func start(prefix: String = "t", deny: [String] = []) throws -> SystemdLab {
        let name = "sosplan-\(prefix)-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        return try launch(name: name, verb: "start", deny: deny)
    }

    private static func launch(name: String, verb: String, deny: [String]) throws -> SystemdLab {
        var args = [verb, "--name", name, "--watch-pid", "\(getpid())"]
        for d in deny { args += ["--deny", d] }
        let r = try CommandRunner.run(script, args)
        guard r.status == 0 else {
            throw Failure(description: "scripts/systemd-lab \(args.joined(separator: " ")) failed (\(r.status)):\n\(r.stderr)")
        }
        return SystemdLab(name: name, environment: parseExports(r.stdout), owned: true, deny: deny)
    }

    /// Stop + start keeping the lab's /etc/systemd; returns the new lab (new PID).
    public func reboot() throws -> SystemdLab {
        precondition(owned, "only a lab this process started may be rebooted")
        return try Self.launch(name: name, verb: "reboot", deny: deny)
    }

    /// Stops the lab (if this process started it) and deletes its directory.
    public func stop() {
        guard owned else { return }
        _ = try? CommandRunner.run(Self.script, ["stop", "--purge", "--name", name])
    }

    /// Runs a command inside the lab's namespaces (`nsenter -t PID -a ...`),
    /// e.g. `systemctl show`.
    public func run(_ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/nsenter"), ["-t", pid, "-a"] + arguments)
    }

    static func parseExports(_ text: String) -> [String: String] {
        var env: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let eq = assignment.firstIndex(of: "=") else { continue }
            var value = String(assignment[assignment.index(after: eq)...])
            if value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            env[String(assignment[..<eq])] = value
        }
        return env
    }
}
