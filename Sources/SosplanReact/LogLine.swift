/// One line of what the reconciler did, with a syslog priority: the CLI
/// prints it for a terminal or with journald's `<N>` prefix.
public struct LogLine: Sendable, Hashable {
    public enum Priority: Int, Sendable, Comparable {
        case error = 3, warning = 4, notice = 5, info = 6, debug = 7

        public static func < (a: Priority, b: Priority) -> Bool { a.rawValue < b.rawValue }
    }

    public var priority: Priority
    public var text: String

    public init(_ priority: Priority, _ text: String) {
        self.priority = priority
        self.text = text
    }
}
