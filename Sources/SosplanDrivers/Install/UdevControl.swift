import FoundationEssentials
import Glibc
import SosplanCore

/// `udevadm control --reload` (an argument vector, no shell) when udev runs
/// and the rule went where udev reads rules; elsewhere (a test's directory,
/// a container without udevd) there is nothing to reload.
public enum UdevControl {
    /// The directories udev reads rules from.
    public static let ruleDirectories = [
        "/etc/udev/rules.d", "/run/udev/rules.d", "/lib/udev/rules.d", "/usr/lib/udev/rules.d", "/usr/local/lib/udev/rules.d",
    ]

    /// udevd's control socket exists.
    public static var isRunning: Bool { FileManager.default.fileExists(atPath: "/run/udev/control") }

    public static func readsRules(in directory: String) -> Bool { ruleDirectories.contains(directory) }

    public static var udevadm: String? {
        ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `udevadm control --reload`; returns why it failed, or nil.
    public static func reload() -> String? {
        guard let tool = udevadm else { return "udevadm is not installed" }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(tool, ["control", "--reload"], stdout: .discard)
        } catch { return "cannot run \(tool): \(error)" }
        let text = String(decoding: outcome.stderr, as: UTF8.self)
        return outcome.status == 0 ? nil : "\(tool) control --reload failed (\(outcome.status)): \(text)"
    }
}

extension UdevControl {
    /// What to tell the operator after `paths` were written or removed:
    /// udev reloaded (or why not), or nothing when no rule went where udev
    /// reads rules.
    public enum Outcome: Sendable, Hashable {
        /// No rule among the paths, or not in a directory udev reads.
        case noRule
        case notRunning(rule: String)
        case reloaded
        case failed(String)
    }

    public static func reloadIfRulesChanged(_ paths: [String]) -> Outcome {
        let rules = paths.filter { $0.hasSuffix("/" + InstallFiles.udevRuleName) }
        guard let rule = rules.first, readsRules(in: PathComponents.directory(rule)) else { return .noRule }
        guard isRunning else { return .notRunning(rule: rule) }
        if let problem = reload() { return .failed(problem) }
        return .reloaded
    }
}
