/// One problem found in user input or while planning, reported as a value
/// (never thrown first-error-wins) so that all problems in a file are shown.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Hashable, Sendable, Comparable {
        case error, warning

        public static func < (a: Severity, b: Severity) -> Bool {
            a == .error && b == .warning
        }
    }

    public var severity: Severity
    /// The file the problem is in, as the user named it; nil for host problems.
    public var file: String?
    /// Where in `file`; nil when the problem has no single position.
    public var mark: SourceMark?
    public var message: String
    /// Short suggestions printed as `hint:` lines after the message.
    public var hints: [String]

    public init(
        _ severity: Severity, file: String?, mark: SourceMark?, message: String, hints: [String] = []
    ) {
        self.severity = severity
        self.file = file
        self.mark = mark
        self.message = message
        self.hints = hints
    }

    public static func error(
        _ message: String, file: String?, at mark: SourceMark?, hints: [String] = []
    ) -> Diagnostic {
        Diagnostic(.error, file: file, mark: mark, message: message, hints: hints)
    }

    public static func warning(
        _ message: String, file: String?, at mark: SourceMark?, hints: [String] = []
    ) -> Diagnostic {
        Diagnostic(.warning, file: file, mark: mark, message: message, hints: hints)
    }

    /// `FILE:LINE:COLUMN` (or less, when parts are unknown).
    public var location: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let mark { parts.append("\(mark.line)"); parts.append("\(mark.column)") }
        return parts.joined(separator: ":")
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by file, then position, then message: stable output for goldens.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { l, r in
            let a = l.element, b = r.element
            if (a.file ?? "") != (b.file ?? "") { return (a.file ?? "") < (b.file ?? "") }
            let am = a.mark ?? SourceMark(line: 0, column: 0)
            let bm = b.mark ?? SourceMark(line: 0, column: 0)
            if am != bm { return am < bm }
            return l.offset < r.offset
        }.map(\.element)
    }
}

/// Lets functions return `Result<_, Diagnostic>` for a single located problem.
extension Diagnostic: Error {}
