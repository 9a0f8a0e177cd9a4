/// Ends a command with this exit code and no further message (what
/// should be said was said): 1 failure, 2 plan has changes, 3 apply could
/// not roll back.
struct ExitCode: Error, Equatable {
    var rawValue: Int32

    init(_ code: Int32) { rawValue = code }

    static let failure = ExitCode(1)
}
