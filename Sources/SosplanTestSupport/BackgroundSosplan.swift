import Foundation

/// A long-running `sosplan` (`reconcile --watch`) for tests: its stderr goes
/// to a file the test reads while it runs; it stops with SIGTERM like under
/// systemd, and is killed if it does not.
public final class BackgroundSosplan: @unchecked Sendable {
    public let process = Process()
    public let logFile: URL

    public init(_ arguments: [String], environment: [String: String], log: URL) throws {
        logFile = log
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = RepositoryPaths.product("sosplan")
        process.arguments = arguments
        process.environment = CommandRunner.hostEnvironment(environment)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// What it logged so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Waits until `condition` holds on the log (true) or `timeout` passes (false).
    @discardableResult
    public func waitForLog(timeout: Double, _ condition: (String) -> Bool) -> Bool {
        Poll.until(timeout: timeout) { condition(self.log) }
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; the exit status (nil if killed).
    @discardableResult
    public func stop(grace: Double = 10) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        if Poll.until(timeout: grace, { !self.process.isRunning }) {
            process.waitUntilExit()
            return process.terminationReason == .exit ? process.terminationStatus : nil
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return nil
    }
}

/// Polling with a deadline, for effects that arrive asynchronously.
public enum Poll {
    /// True as soon as `condition` holds, false once `timeout` seconds passed.
    @discardableResult
    public static func until(timeout: Double, interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if try condition() { return true }
            usleep(UInt32(interval * 1_000_000))
        } while Date() < deadline
        return try condition()
    }
}
