import Foundation

/// Runs a program and captures its output (pipes are drained before waiting,
/// so large outputs cannot deadlock).
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// True when a signal ended the program (a crash), not `exit()`.
    public var signaled: Bool = false
}

public enum CommandRunner {
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
        stdin: String? = nil, currentDirectory: URL? = nil, replacingEnvironment: [String: String]? = nil
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let replacing = replacingEnvironment { process.environment = replacing }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        // Drain both pipes concurrently: a full stderr pipe would block the child.
        let errData = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.set(errPipe.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus,
            stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: errData.get(), as: UTF8.self),
            signaled: process.terminationReason == .uncaughtSignal)
    }

    /// Runs the built `sosplan` binary.
    public static func sosplan(
        _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil, currentDirectory: URL? = nil
    ) throws -> CommandResult {
        try run(RepositoryPaths.product("sosplan"), arguments, stdin: stdin, currentDirectory: currentDirectory,
                replacingEnvironment: hostEnvironment(environment))
    }

    /// The variables that stand in for `sosplan`'s host options. A test
    /// says what host it means: the ones this process inherited (the CI's
    /// lab exports `SOSPLAN_SYSTEMD_BUS`) are removed unless given.
    public static let hostVariables = [
        "SOSPLAN_ROOT", "SOSPLAN_SYSTEMD_BUS", "SOSPLAN_UNIT_DIR", "SOSPLAN_TOOLS_DIR", "SOSPLAN_STATE_DIR", "SOSPLAN_SLURM_NODE_CONFIG",
        "SOSPLAN_SLURM_DAEMONCTL",
    ]

    public static func hostEnvironment(_ given: [String: String]?) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in hostVariables { env[name] = nil }
        return env.merging(given ?? [:]) { $1 }
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
