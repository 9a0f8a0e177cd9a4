import FoundationEssentials
import Glibc
import SosplanCore

/// slurmd and slurmctld, started and stopped through the node's service
/// manager, and the node's state as `scontrol` reports it. Every call is an
/// argument vector (never a shell); the node name is checked before use.
public struct SlurmDaemons: Sendable {
    public enum Daemon: String, Sendable { case slurmd, slurmctld }
    public enum Action: String, Sendable { case start, stop, restart }

    public var configuration: SlurmConfiguration

    public init(configuration: SlurmConfiguration) { self.configuration = configuration }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        if let conf = configuration.slurmConf { env["SLURM_CONF"] = conf }
        return env
    }

    func run(_ executable: String, _ arguments: [String], timeout: Double = 60) throws(SlurmError) -> ToolResult {
        let name = PathComponents.last(executable)
        do {
            return try ToolRunner.launch(tool: name, executable: executable, arguments: arguments, environment: environment, timeout: timeout)
        } catch {
            switch error {
            case .cannotRun(let why): throw SlurmError("cannot run \(executable): \(why)")
            case .timedOut(let partial): throw SlurmError("\(partial.commandLine) did not finish within \(Int(timeout)) s")
            }
        }
    }

    /// `daemonControl ACTION DAEMON`; fails with what it printed.
    public func control(_ action: Action, _ daemon: Daemon) throws(SlurmError) {
        let r = try run(configuration.daemonControl, [action.rawValue, daemon.rawValue])
        guard r.succeeded else {
            throw SlurmError("\(r.commandLine) failed (exit \(r.exitStatus)): \(ControlCharacters.shown(r.output, limit: 400))")
        }
    }

    /// The node's `State=` (`IDLE`, `ALLOCATED`, `IDLE+DRAIN`...) and
    /// `Reason=`, or nil when slurmctld does not answer or does not know it.
    public func nodeState(_ name: String) throws(SlurmError) -> SlurmNodeState? {
        guard SlurmNodeDefinition.isName(name) else { throw SlurmError("'\(ControlCharacters.shown(name))' is not a Slurm node name") }
        let r = try run(configuration.scontrol, ["--oneliner", "show", "node", name], timeout: 15)
        guard r.succeeded else { return nil }
        return SlurmNodeState(scontrolLine: r.stdout)
    }

    /// Waits until the node answers in a schedulable state; returns the last
    /// state seen.
    public func waitSchedulable(_ name: String) throws(SlurmError) -> SlurmNodeState? {
        let deadline = Date().addingTimeInterval(configuration.settleSeconds)
        var last: SlurmNodeState?
        repeat {
            if let s = try nodeState(name) {
                last = s
                if s.isSchedulable { return s }
                if s.isBroken { return s }
            }
            usleep(100_000)
        } while Date() < deadline
        return last
    }
}

/// One node's state from `scontrol --oneliner show node`.
public struct SlurmNodeState: Sendable, Hashable, CustomStringConvertible {
    /// `State=`, split at `+` (`IDLE`, `DRAIN`, `INVALID_REG`...).
    public var flags: [String]
    public var reason: String?
    /// `CPUTot=` and `CPUSpecList=` (nil: not printed, no specialised CPU).
    public var cpuTotal: Int?
    public var cpuSpecList: CPUSet?

    public init(flags: [String], reason: String? = nil, cpuTotal: Int? = nil, cpuSpecList: CPUSet? = nil) {
        self.flags = flags
        self.reason = reason
        self.cpuTotal = cpuTotal
        self.cpuSpecList = cpuSpecList
    }

    /// Reads `State=` and `Reason=` (the reason runs to the end of the line
    /// or the next known key, as scontrol prints it last but for a few).
    public init?(scontrolLine line: String) {
        guard let state = line.split(separator: " ").first(where: { $0.hasPrefix("State=") }) else { return nil }
        flags = state.dropFirst("State=".count).split(separator: "+").map(String.init)
        let words = line.split(separator: " ")
        func value(_ key: String) -> String? { words.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } }
        cpuTotal = value("CPUTot").flatMap { Int($0) }
        cpuSpecList = value("CPUSpecList").flatMap { try? CPUSet(lenientList: $0) }
        if let r = line.firstRange(of: " Reason=") {
            var text = String(line[r.upperBound...])
            for key in [" Comment=", " ExtSensors", " CurrentWatts", " CapWatts"] {
                if let k = text.firstRange(of: key) { text = String(text[..<k.lowerBound]) }
            }
            reason = text.trimmingWhitespace()
        }
    }

    /// IDLE, ALLOCATED or MIXED with nothing that keeps jobs away.
    public var isSchedulable: Bool {
        guard let base = flags.first, ["IDLE", "ALLOCATED", "MIXED", "COMPLETING"].contains(base) else { return false }
        return !flags.contains { ["DRAIN", "DRAINED", "DRAINING", "INVALID", "INVALID_REG", "DOWN", "NOT_RESPONDING", "FAIL"].contains($0) }
    }

    /// Drained or invalid: waiting longer will not help.
    public var isBroken: Bool { flags.contains { ["DRAIN", "INVALID", "INVALID_REG", "FAIL"].contains($0) } }

    public var description: String {
        flags.joined(separator: "+") + (reason.map { " (Reason=\(ControlCharacters.shown($0, limit: 200)))" } ?? "")
    }
}
