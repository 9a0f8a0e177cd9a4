
/// Ends a command with `error: MESSAGE` (and an optional `hint:` line) on
/// stderr and exit code 1, without the usage text: the user's
/// command line was fine, the host or a file was not.
enum Failure {
    static func report(_ message: String, hint: String? = nil) -> ExitCode {
        Terminal.err("error: \(message)\n")
        if let hint { Terminal.err("hint: \(hint)\n") }
        return ExitCode.failure
    }
}
