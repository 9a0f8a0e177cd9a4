import FoundationEssentials
import Glibc
import SosplanDrivers

/// Writes a command's `-o` / `--svg` file atomically (a reader never sees a
/// half-written snapshot or plan); a failure ends the command with exit 1.
enum OutputFile {
    static func write(_ text: String, to path: String, what: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw Failure.report("cannot write the \(what) to '\(path)': \(FileErrorText.describe(error))")
        }
    }
}
