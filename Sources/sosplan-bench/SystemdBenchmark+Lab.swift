import Foundation
import SosplanDrivers

/// The lab the systemd benchmark runs against, and running programs.
extension SystemdBenchmark {
    static var script: URL {
        var url = URL(fileURLWithPath: #filePath)  // Sources/sosplan-bench/SystemdBenchmark+Lab.swift
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/systemd-lab")
    }

    /// - Parameter reuse: take the running lab `SOSPLAN_LAB_*` names, if any.
    ///   A benchmark that reconciles the whole unit directory to its own
    ///   layout passes false: on a shared lab it would remove the others' units.
    static func startLab(reuse: Bool = true) throws -> Lab {
        let env = ProcessInfo.processInfo.environment
        if reuse, let bus = env["SOSPLAN_SYSTEMD_BUS"], let pid = env["SOSPLAN_LAB_PID"], let dir = env["SOSPLAN_LAB_UNIT_DIR"] {
            return Lab(bus: bus, pid: pid, unitDirectory: URL(fileURLWithPath: dir), name: nil)
        }
        guard geteuid() == 0 else { throw Failure(what: "needs root to start a systemd lab (or SOSPLAN_LAB_* of a running one)") }
        let name = "sosplan-bench-\(getpid())"
        let r = try run(script, ["start", "--name", name, "--watch-pid", "\(getpid())"])
        guard r.status == 0 else { throw Failure(what: "scripts/systemd-lab start: \(r.stderr)") }
        var exports: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            let kv = line.dropFirst(7).split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { exports[kv[0]] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        }
        guard let bus = exports["SOSPLAN_SYSTEMD_BUS"], let pid = exports["SOSPLAN_LAB_PID"], let dir = exports["SOSPLAN_LAB_UNIT_DIR"] else {
            throw Failure(what: "scripts/systemd-lab printed no exports")
        }
        return Lab(bus: bus, pid: pid, unitDirectory: URL(fileURLWithPath: dir), name: name)
    }

    /// Runs a program with an argument vector (no shell) and captures its
    /// output, with `posix_spawn` and `waitpid` (sosplan's own ChildProcess).
    /// Foundation's `Process` added about 50 ms to every run here (its
    /// `waitUntilExit` polls a run loop), which is more than half of what a
    /// timed `sosplan plan` costs: a process-based row must time the process.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let outcome = try ChildProcess.run(executable.path, arguments)
        return (outcome.status, String(decoding: outcome.stdout, as: UTF8.self), String(decoding: outcome.stderr, as: UTF8.self))
    }
}
