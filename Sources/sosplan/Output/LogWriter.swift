import FoundationEssentials
import Glibc
import SosplanReact

/// Log lines on stderr: with journald's `<N>` priority prefix when stderr
/// is a journal stream (systemd sets `$JOURNAL_STREAM`), else plain, with
/// `error:`/`warning:` where it matters.
struct LogWriter {
    let journal: Bool
    let verbose: Bool

    init(verbose: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
        journal = environment["JOURNAL_STREAM"] != nil
        self.verbose = verbose
    }

    func write(_ line: LogLine) {
        if line.priority == .debug && !verbose { return }
        Terminal.err(format(line))
    }

    func format(_ line: LogLine) -> String {
        // One event per line: a message that spans lines keeps its priority on
        // each; a diagnostic already says `FILE:LINE:COL: error:` itself.
        let parts = line.text.split(separator: "\n", omittingEmptySubsequences: false)
        let labelled = parts.first.map { $0.contains(": error: ") || $0.contains(": warning: ") } ?? false
        return parts.enumerated().map { i, part in
            if journal { return "<\(line.priority.rawValue)>\(part)\n" }
            if i > 0 || labelled { return "\(part)\n" }
            switch line.priority {
            case .error: return "error: \(part)\n"
            case .warning: return "warning: \(part)\n"
            default: return "\(part)\n"
            }
        }.joined()
    }
}
