import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// Writes to stdout/stderr and decides on colours (`NO_COLOR`, non-terminal
/// stdout and `--no-color` turn them off). Every text output passes here,
/// so this is where no control character from an input can get through raw:
/// the text is escaped (`ControlCharacters.escaped`), keeping only line
/// breaks, which are sosplan's own (each value was escaped, newlines
/// included, when it was put into a line).
enum Terminal {
    static func out(_ s: String) {
        RawFile.writeAll(STDOUT_FILENO, ControlCharacters.escaped(s, keepingNewlines: true).utf8)
    }

    static func err(_ s: String) {
        RawFile.writeAll(STDERR_FILENO, ControlCharacters.escaped(s, keepingNewlines: true).utf8)
    }

    /// Text with sosplan's own colour escapes (`show`): the renderer that
    /// made it escaped every value it put in (`OwnershipTextRenderer`).
    static func outStyled(_ s: String) {
        RawFile.writeAll(STDOUT_FILENO, s.utf8)
    }

    /// A JSON document, pretty-printed, written as the writer made it:
    /// `JSONWriter` already shows every character `Terminal.out` would
    /// escape as `\uXXXX` (in keys and strings; the rest is punctuation,
    /// digits and line breaks), so the text is the same, without a second
    /// scan and copy of a plan's megabyte.
    static func outJSON(_ value: JSONValue) {
        RawFile.writeAll(STDOUT_FILENO, JSONWriter.prettyBytes(value))
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    static func colorsEnabled(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let v = environment["NO_COLOR"], !v.isEmpty { return false }
        return stdoutIsTerminal
    }
}
