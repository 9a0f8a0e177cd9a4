import SosplanCore

/// Why an enclave operation failed. `kind` is what callers branch on (retry
/// later on `busy`, recreate on `notSupportedWhileRunning`, ...); `tool`
/// keeps the invocation and its output whenever a tool was involved, and
/// `rollback` lists the undo steps that failed in turn (empty when the
/// failed sequence was fully rolled back).
public struct EnclaveError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Hashable {
        /// No such enclave, OS instance, device or file (ENOENT).
        case notFound
        /// Held by someone (EBUSY): a process on /dev/mcosN, active mOS jobs,
        /// an OS already booted on the device.
        case busy
        /// A bad request or argument (EINVAL).
        case invalid
        /// The instance is not in a state that allows the step (IHK load
        /// before assign, Pisces ctrl on a non-running enclave).
        case notReady
        /// Not enough memory could be reserved (ENOMEM, fragmentation).
        case insufficientMemory
        /// EPERM/EACCES.
        case permission
        /// The co-kernel cannot make this change on a running instance; the
        /// planner recreates it instead.
        case notSupportedWhileRunning
        /// A tool exited with a failure the driver could not classify.
        case toolFailed
        /// The tool is not installed where the configuration says.
        case toolMissing
        /// A tool or a status poll did not finish in time.
        case timeout
        /// What the co-kernel reports disagrees with what the tool claimed
        /// (an exit 0 without effect, a partial add).
        case inconsistent
    }

    public var kind: Kind
    public var message: String
    public var tool: ToolResult?
    public var rollback: [String]

    public init(_ kind: Kind, _ message: String, tool: ToolResult? = nil, rollback: [String] = []) {
        self.kind = kind
        self.message = message
        self.tool = tool
        self.rollback = rollback
    }

    /// A tool failure kept with its full output.
    public static func toolFailed(_ result: ToolResult, _ message: String? = nil) -> EnclaveError {
        EnclaveError(.toolFailed, message ?? "\(result.tool) failed with exit status \(result.exitStatus)", tool: result)
    }

    public var description: String {
        var text = "\(kind.rawValue): \(message)"
        if let tool {
            text += "\n  command: \(tool.commandLine)\n  exit status: \(tool.exitStatus)"
            let out = tool.stdout.trimmingASCIIWhitespace(), err = tool.stderr.trimmingASCIIWhitespace()
            if !out.isEmpty { text += "\n  stdout: \(out)" }
            if !err.isEmpty { text += "\n  stderr: \(err)" }
        }
        for failure in rollback { text += "\n  rollback failed: \(failure)" }
        return text
    }

    /// `error` as an `EnclaveError` (validation errors become `invalid`).
    public static func from(_ error: any Error) -> EnclaveError {
        if let e = error as? EnclaveError { return e }
        if let e = error as? EnclaveTextError { return EnclaveError(.invalid, e.description) }
        if let e = error as? EnclaveFormatError { return EnclaveError(.inconsistent, e.description) }
        if let e = error as? SystemError { return EnclaveError(kind(errno: e.errno), e.description) }
        return EnclaveError(.toolFailed, "\(error)")
    }

    /// The kind for an errno (ENOENT→notFound, EBUSY→busy,
    /// EINVAL→invalid, ENOMEM→insufficientMemory, EPERM/EACCES→permission).
    public static func kind(errno: Int32) -> Kind {
        switch errno {
        case 2: return .notFound
        case 16: return .busy
        case 22: return .invalid
        case 12: return .insufficientMemory
        case 1, 13: return .permission
        default: return .toolFailed
        }
    }
}
