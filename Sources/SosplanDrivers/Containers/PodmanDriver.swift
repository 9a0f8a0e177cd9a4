import FoundationEssentials
import Glibc
import SosplanCore

/// Why a podman run failed, with what it printed.
public struct ContainerError: Error, CustomStringConvertible, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads and changes sosplan's containers through the podman command line:
/// `container inspect`, `update` (a running container's cgroup, no
/// restart), `rm`. Every value goes in an argument vector (never a shell)
/// and was validated as the layout's was (`ContainerRun.validate`).
public struct PodmanDriver: Sendable {
    public var configuration: PodmanConfiguration

    public init(configuration: PodmanConfiguration = PodmanConfiguration()) { self.configuration = configuration }

    public var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: configuration.program) }

    func run(_ arguments: [String]) throws(ContainerError) -> ToolResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        for (k, v) in configuration.environment { environment[k] = v }
        do {
            return try ToolRunner.launch(
                tool: "podman", executable: configuration.program, arguments: arguments, environment: environment,
                timeout: configuration.timeout)
        } catch {
            switch error {
            case .cannotRun(let why): throw ContainerError("cannot run \(configuration.program): \(why)")
            case .timedOut(let partial): throw ContainerError("\(partial.commandLine) did not finish within \(configuration.timeout) s")
            }
        }
    }

    static func checkName(_ name: String) throws(ContainerError) {
        guard ContainerSpec.isContainerName(name) else {
            throw ContainerError("'\(name)' is not a container name sosplan uses (sosplan-<service>)")
        }
    }

    /// The container's state; `missing` when podman has none of that name.
    public func inspect(_ name: String) throws(ContainerError) -> ContainerState {
        try Self.checkName(name)
        let r = try run(["container", "inspect", "--format", "json", name])
        guard r.succeeded else {
            if r.output.contains("no such container") { return ContainerState(name: name, state: "missing") }
            throw ContainerError("\(r.commandLine) failed (\(r.exitStatus)): \(r.stderr.trimmingWhitespace())")
        }
        var state: ContainerState
        do { state = try Self.state(fromInspect: r.stdout, name: name) } catch {
            throw ContainerError("cannot read what \(r.commandLine) printed: \(error)")
        }
        // podman 4 keeps the values it started with; `podman update` changes the
        // cgroup only. What the container's process is allowed is the truth
        // (for what podman restricts at all: unrestricted stays "").
        if state.isRunning, let pid = Self.pid(fromInspect: r.stdout), pid > 0,
            let status = try? String(contentsOfFile: "\(configuration.procRoot)/\(pid)/status", encoding: .utf8)
        {
            for line in status.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingWhitespace() }
                guard parts.count == 2 else { continue }
                if parts[0] == "Cpus_allowed_list", state.cpusetCpus?.isEmpty == false {
                    state.cpusetCpus = try? CPUSet(lenientList: parts[1])
                }
                if parts[0] == "Mems_allowed_list", state.cpusetMems?.isEmpty == false {
                    state.cpusetMems = try? CPUSet(lenientList: parts[1])
                }
            }
        }
        return state
    }

    static func pid(fromInspect text: String) -> Int? {
        (try? JSONParser.parse(text))?.arrayValue?.first?["State"]?["Pid"]?.intValue
    }

    /// `podman container inspect --format json` output: a list of one object.
    public static func state(fromInspect text: String, name: String) throws -> ContainerState {
        let value = try JSONParser.parse(text)
        guard let c = value.arrayValue?.first else { return ContainerState(name: name, state: "missing") }
        var s = ContainerState(name: name, state: c["State"]?["Status"]?.stringValue ?? "unknown")
        s.id = c["Id"]?.stringValue
        s.image = c["ImageName"]?.stringValue ?? c["Config"]?["Image"]?.stringValue
        s.startedAt = c["State"]?["StartedAt"]?.stringValue
        let host = c["HostConfig"]
        s.cpusetCpus = host?["CpusetCpus"]?.stringValue.flatMap { try? CPUSet(lenientList: $0) }
        s.cpusetMems = host?["CpusetMems"]?.stringValue.flatMap { try? CPUSet(lenientList: $0) }
        s.memory = host?["Memory"]?.uint64Value.flatMap { $0 == 0 ? nil : $0 }
        s.memoryReservation = host?["MemoryReservation"]?.uint64Value.flatMap { $0 == 0 ? nil : $0 }
        return s
    }

    /// `podman update`: the running container's CPUs, memory nodes and
    /// memory limits, without a restart.
    public func update(_ run: ContainerRun) throws(ContainerError) {
        do { try run.validate() } catch { throw ContainerError("\(error)") }
        let r = try self.run(["update"] + run.updateArguments + [run.name])
        guard r.succeeded else {
            throw ContainerError("\(r.commandLine) failed (\(r.exitStatus)): \(r.stderr.trimmingWhitespace())")
        }
    }

    /// `podman rm --force --ignore`: the container is gone afterwards
    /// (stopped first), whether or not it existed. Returns true when podman
    /// removed one.
    @discardableResult
    public func remove(_ name: String) throws(ContainerError) -> Bool {
        try Self.checkName(name)
        guard try inspect(name).state != "missing" else { return false }
        let r = try run(["rm", "--force", "--ignore", name])
        guard r.succeeded else {
            throw ContainerError("\(r.commandLine) failed (\(r.exitStatus)): \(r.stderr.trimmingWhitespace())")
        }
        return true
    }
}
