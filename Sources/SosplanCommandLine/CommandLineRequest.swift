/// What a command line asks for.
public enum CommandLineRequest: Sendable {
    /// Run this command with these values.
    case run(ParsedCommand)
    /// Print the help of the last command of the path (root first).
    case help([CommandSpec])
    /// Print this version.
    case version(String)
}

/// A command line that does not parse, with the commands it got as far
/// as, for the usage line.
public struct CommandLineFailure: Error, Sendable {
    public var error: UsageError
    public var path: [CommandSpec]

    public init(_ error: UsageError, path: [CommandSpec]) {
        self.error = error
        self.path = path
    }
}
