import FoundationEssentials

/// One finished tool run with everything it printed.
public struct ToolResult: Sendable, Equatable {
    /// The tool's name (`ihkconfig`).
    public var tool: String
    public var executable: String
    public var arguments: [String]
    public var exitStatus: Int32
    public var stdout: String
    public var stderr: String

    public init(tool: String, executable: String, arguments: [String], exitStatus: Int32, stdout: String, stderr: String) {
        self.tool = tool
        self.executable = executable
        self.arguments = arguments
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { exitStatus == 0 }

    /// For messages only, quoted so a reader sees each argument
    /// unambiguously; never executed.
    public var commandLine: String {
        ([tool] + arguments).map(Self.quoted).joined(separator: " ")
    }

    static func quoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "_./:=,@%+-".unicodeScalars.contains($0)
        }
        if safe && !word.isEmpty { return word }
        return "'" + word.replacingText("'", with: #"'\''"#) + "'"
    }

    /// stdout and stderr together, for matching the tools' error texts.
    public var output: String { stdout + stderr }
}

/// Runs co-kernel tools with an argument vector (`ChildProcess`, never
/// a shell), captures both streams and enforces a timeout.
public struct ToolRunner: Sendable {
    public var configuration: EnclaveToolConfiguration

    public init(configuration: EnclaveToolConfiguration) {
        self.configuration = configuration
    }

    public func isInstalled(_ tool: String) -> Bool { configuration.locate(tool) != nil }

    /// Runs `tool` and returns its result whatever the exit status; throws
    /// only when it cannot run (missing) or does not finish in time.
    public func run(_ tool: String, _ arguments: [String], timeout: Double? = nil) throws(EnclaveError) -> ToolResult {
        guard let executable = configuration.locate(tool) else {
            let place = configuration.toolsDirectory.map { "in \($0)" } ?? "on $PATH"
            throw EnclaveError(.toolMissing, "\(tool) is not installed \(place)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"  // the tools' messages are matched in English
        let limit = timeout ?? configuration.timeouts.tool
        do {
            return try Self.launch(tool: tool, executable: executable, arguments: arguments, environment: environment, timeout: limit)
        } catch {
            switch error {
            case .cannotRun(let why): throw EnclaveError(.toolMissing, "cannot run \(executable): \(why)")
            case .timedOut(let partial): throw EnclaveError(.timeout, "\(tool) did not finish within \(limit) s", tool: partial)
            }
        }
    }

    /// Why `launch` returned no result.
    public enum LaunchFailure: Error {
        case cannotRun(String)
        /// Killed after the time limit; what it printed until then.
        case timedOut(ToolResult)
    }

    /// Runs `executable` with an argument vector (never a shell), captures
    /// both streams, and kills it after `timeout` seconds.
    public static func launch(
        tool: String, executable: String, arguments: [String], environment: [String: String], timeout limit: Double
    ) throws(LaunchFailure) -> ToolResult {
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(executable, arguments, environment: environment, timeout: limit)
        } catch {
            throw .cannotRun(error.description)
        }
        let stdout = String(decoding: outcome.stdout, as: UTF8.self), stderr = String(decoding: outcome.stderr, as: UTF8.self)
        if outcome.timedOut {
            let partial = ToolResult(tool: tool, executable: executable, arguments: arguments, exitStatus: -1, stdout: stdout, stderr: stderr)
            throw .timedOut(partial)
        }
        // A signal-terminated tool reports 128+signal, like a shell would.
        return ToolResult(tool: tool, executable: executable, arguments: arguments, exitStatus: outcome.status, stdout: stdout, stderr: stderr)
    }
}
