import SosplanCommandLine

/// A command of `sosplan`: declared as a `CommandSpec`, built from what
/// the parser found (typed at once), checked, then run.
protocol SosplanCommand {
    static var spec: CommandSpec { get }
    init(_ parsed: ParsedCommand) throws(UsageError)
    /// Refuses combinations of options the command cannot honour.
    func validate() throws
    func run() throws
}

extension SosplanCommand {
    func validate() throws {}
}
