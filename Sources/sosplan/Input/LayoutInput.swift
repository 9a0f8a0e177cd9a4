import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// Reads and decodes a layout for commands that need a valid one (plan,
/// show): diagnostics go to stderr; any error ends the command with exit 1.
enum LayoutInput {
    static func load(_ path: String) throws -> HostLayout { try loadWithSource(path).layout }

    /// The layout and its text as read (a saved plan carries it), the file
    /// named by its absolute path.
    static func loadWithSource(_ path: String) throws -> (layout: HostLayout, source: LayoutSource) {
        switch InputFile.readLayout(path) {
        case .failure(let diagnostic):
            Terminal.err(DiagnosticFormatter.text([diagnostic]))
            throw ExitCode(1)
        case .success(let bytes):
            let result = LayoutDecoder.decode(bytes, file: InputFile.displayName(path))
            if !result.diagnostics.isEmpty { Terminal.err(DiagnosticFormatter.text(result.diagnostics)) }
            guard let layout = result.layout else { throw ExitCode(1) }
            let file = path == "-" ? "-" : URL(fileURLWithPath: path).standardizedFileURL.path
            return (layout, LayoutSource(file: file, text: String(decoding: bytes, as: UTF8.self)))
        }
    }

    /// Units the layout names: observed even when sosplan does not manage them.
    static func unitNames(_ layout: HostLayout) -> [String] { layout.observedUnitNames }
}
