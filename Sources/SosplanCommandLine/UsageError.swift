/// A command line sosplan cannot run: an unknown option, a missing or bad
/// value, a missing argument, or a combination a command refuses. Printed
/// as `Error:`, the `Help:` line of what was misused, and the usage line;
/// the exit code is 64 (EX_USAGE).
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// `<LAYOUT>  The host layout.`: the help of the option or argument at fault.
    public var help: String?

    public init(_ message: String, help: String? = nil) {
        self.message = message
        self.help = help
    }

    public var description: String { message }

    public static let exitCode: Int32 = 64

    init(_ message: String, about option: OptionSpec) {
        self.init(message, help: "\(option.display)  \(option.help)")
    }

    init(_ message: String, about argument: ArgumentSpec) {
        self.init(message, help: "\(argument.display)  \(argument.help)")
    }
}
