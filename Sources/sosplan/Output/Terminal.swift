import Foundation

/// Writes to stdout/stderr and decides on colours (`NO_COLOR`, non-terminal
/// stdout and `--no-color` turn them off).
enum Terminal {
    static func out(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    static func err(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func colorsEnabled(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let v = environment["NO_COLOR"], !v.isEmpty { return false }
        return stdoutIsTerminal
    }
}
