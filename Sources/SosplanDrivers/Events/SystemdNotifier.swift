import CSystemd
import FoundationEssentials
import Glibc

/// `sd_notify` for a `Type=notify` service: readiness, status text and
/// watchdog pings. Outside systemd (no `$NOTIFY_SOCKET`) every call does
/// nothing, so the same loop runs in a terminal or a container.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether systemd listens (`NOTIFY_SOCKET` is set).
    public var isActive: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    /// How often to ping the watchdog (half of `WatchdogSec=`), if it is on.
    public var watchdogInterval: Double? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return Double(usec) / 2_000_000
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.clean(status))") }
    public func status(_ text: String) { send("STATUS=\(Self.clean(text))") }
    public func watchdog() { send("WATCHDOG=1") }
    public func stopping() { send("STOPPING=1") }

    private func send(_ state: String) {
        guard isActive else { return }
        _ = sd_notify(0, state)
    }

    /// One line: a newline would start a new assignment.
    static func clean(_ s: String) -> String { s.replacingText("\n", with: " ") }
}
