import Foundation
import SosplanCore

/// A whole host for apply tests, made by `scripts/sandbox`: a real systemd
/// (a private lab), a simulated sysfs from a real topology snapshot, the
/// co-kernel simulators and their launchers. Each test that changes the
/// host takes its own, in a scratch directory, and brings it down.
public final class Sandbox: Sendable {
    public let name: String
    public let directory: URL
    /// The `SOSPLAN_*` exports of `scripts/sandbox env`.
    public let environment: [String: String]
    let upArguments: [String]

    public static var script: URL { RepositoryPaths.scripts.appendingPathComponent("sandbox") }
    /// The simulated host without a `fixture`: two sockets, 2 NUMA nodes,
    /// 32 CPUs with SMT-2 (hwloc 2.9.0's, from `scripts/fixtures`).
    public static let defaultHost = "32intel64-2p8co2t+8ve"
    public static var unavailableReason: String? { unavailableReason(for: defaultHost) }
    /// Why a sandbox of `fixture` (a topology fixture, `host` or a folder) cannot come up, or nil.
    public static func unavailableReason(for fixture: String) -> String? {
        SystemdLab.unavailableReason ?? (TopologyFixtures.source(of: fixture) == nil ? nil : TopologyFixtures.unavailableReason(of: fixture))
    }
    public static var isAvailable: Bool { unavailableReason == nil }

    public var root: URL { URL(fileURLWithPath: environment["SOSPLAN_ROOT"] ?? "") }
    public var stateDirectory: URL { URL(fileURLWithPath: environment["SOSPLAN_STATE_DIR"] ?? "") }
    public var unitDirectory: URL { URL(fileURLWithPath: environment["SOSPLAN_UNIT_DIR"] ?? "") }
    public var toolsDirectory: URL { URL(fileURLWithPath: environment["SOSPLAN_TOOLS_DIR"] ?? "") }

    init(name: String, directory: URL, environment: [String: String], upArguments: [String]) {
        self.name = name
        self.directory = directory
        self.environment = environment
        self.upArguments = upArguments
    }

    /// Brings a sandbox up; it goes away with this process at the latest.
    /// - Parameter containers: podman runs container services in the lab
    ///   (`--containers`; pair it with the fixture `host`, so containers run
    ///   on CPUs this machine has).
    public static func up(fixture: String? = nil, hostname: String? = nil, deny: [String] = [], containers: Bool = false) throws -> Sandbox {
        let name = "sbx-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-\(name)")
        var args = ["--name", name, "--dir", directory.path, "--bin", RepositoryPaths.productsDirectory.path,
                    "--watch-pid", "\(getpid())"]
        if let hostname { args += ["--hostname", hostname] }
        for d in deny { args += ["--deny", d] }
        if containers { args.append("--containers") }
        let r = try CommandRunner.run(script, ["up"] + args + [try hostArgument(fixture ?? defaultHost)])
        guard r.status == 0 else {
            throw SystemdLab.Failure(description: "scripts/sandbox up failed (\(r.status)):\n\(r.stderr)")
        }
        return Sandbox(name: name, directory: directory, environment: SystemdLab.parseExports(r.stdout), upArguments: args)
    }

    /// What `scripts/sandbox up` is given for a fixture: a topology
    /// fixture's unpacked folder (found as the tests find it), else the
    /// argument as it is (`host`, a folder).
    static func hostArgument(_ fixture: String) throws -> String {
        TopologyFixtures.source(of: fixture) == nil ? fixture : try TopologyFixtures.load(fixture).root.path
    }

    public func down() {
        _ = try? CommandRunner.run(Self.script, ["down", "--name", name, "--dir", directory.path])
    }

    /// `scripts/sandbox reboot`: systemd restarts keeping its unit files, the
    /// simulated kernel forgets hugepages, offline CPUs and co-kernels.
    public func reboot() throws -> Sandbox {
        let r = try CommandRunner.run(Self.script, ["reboot"] + upArguments)
        guard r.status == 0 else {
            throw SystemdLab.Failure(description: "scripts/sandbox reboot failed (\(r.status)):\n\(r.stderr)")
        }
        return Sandbox(name: name, directory: directory, environment: SystemdLab.parseExports(r.stdout), upArguments: upArguments)
    }

    /// Runs `sosplan` inside the sandbox (its exports, plus `extra`).
    public func sosplan(_ arguments: [String], extra: [String: String] = [:], stdin: String? = nil) throws -> CommandResult {
        try CommandRunner.sosplan(arguments, environment: environment.merging(extra) { $1 }, stdin: stdin)
    }

    /// Starts `sosplan` without waiting (for kills and concurrent applies).
    public func start(_ arguments: [String], extra: [String: String] = [:]) throws -> Process {
        let p = Process()
        p.executableURL = RepositoryPaths.product("sosplan")
        p.arguments = arguments
        p.environment = CommandRunner.hostEnvironment(environment.merging(extra) { $1 })
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// `sosplan-sim ARGS --root ROOT` style commands (`fault`, `calls`, `state`).
    public func sim(_ command: String, _ arguments: [String] = []) throws -> CommandResult {
        try CommandRunner.run(RepositoryPaths.product("sosplan-sim"), [command, "--root", root.path] + arguments)
    }

    /// A command inside the lab's namespaces, e.g. `systemctl show`.
    public func lab(_ arguments: [String]) throws -> CommandResult {
        let nsenter = (environment["SOSPLAN_LAB_NSENTER"] ?? "").split(separator: " ").map(String.init)
        guard let tool = nsenter.first else { throw SystemdLab.Failure(description: "the sandbox has no lab") }
        return try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/\(tool)"), Array(nsenter.dropFirst()) + arguments)
    }

    /// The host as `sosplan observe` sees it, with `units` observed too.
    public func snapshot(units: [String] = []) throws -> HostSnapshot {
        let r = try sosplan(["observe", "--format", "json"] + units.flatMap { ["--unit", $0] })
        guard r.status == 0 else { throw SystemdLab.Failure(description: "observe failed (\(r.status)):\n\(r.stderr)") }
        return try HostSnapshot.decode(json: r.stdout)
    }

    /// Writes a file of the simulated host (e.g. to take a CPU offline behind sosplan's back).
    public func writeHostFile(_ relative: String, _ text: String) throws {
        try text.write(to: root.appendingPathComponent(relative), atomically: false, encoding: .utf8)
    }
}
