import Foundation

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
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// stdout and stderr together, for matching the tools' error texts.
    public var output: String { stdout + stderr }
}

/// Runs co-kernel tools with an argument vector (Foundation `Process`, never
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw .cannotRun(error.localizedDescription)
        }
        let finished = DispatchSemaphore(value: 0)
        let out = CapturedData(), err = CapturedData()
        let group = DispatchGroup()
        for (pipe, sink) in [(outPipe, out), (errPipe, err)] {
            group.enter()
            DispatchQueue.global().async {
                sink.set(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        DispatchQueue.global().async {
            process.waitUntilExit()
            finished.signal()
        }
        if finished.wait(timeout: .now() + limit) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
            group.wait()
            let partial = ToolResult(
                tool: tool, executable: executable, arguments: arguments, exitStatus: -1,
                stdout: String(decoding: out.get(), as: UTF8.self), stderr: String(decoding: err.get(), as: UTF8.self))
            throw .timedOut(partial)
        }
        group.wait()
        // A signal-terminated tool reports 128+signal, like a shell would.
        let status = process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return ToolResult(
            tool: tool, executable: executable, arguments: arguments, exitStatus: status,
            stdout: String(decoding: out.get(), as: UTF8.self), stderr: String(decoding: err.get(), as: UTF8.self))
    }
}

/// Collects one pipe's bytes from a reader thread.
final class CapturedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
