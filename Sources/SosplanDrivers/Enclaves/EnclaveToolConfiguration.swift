import Foundation

/// Where a driver finds the co-kernel tools and the host's sysfs/procfs, so
/// the same driver code runs on a real host (`root: "/"`, tools on $PATH) or
/// against `sosplan-sim` (tools and root from `sosplan-sim install`).
public struct EnclaveToolConfiguration: Sendable {
    /// Directory holding `ihkconfig`, `ihkosctl`, the Pisces tools, `lwkctl`;
    /// nil searches $PATH.
    public var toolsDirectory: String?
    /// The root under which `/sys`, `/proc` and `/dev` are read ("/" on a real host).
    public var root: String
    public var timeouts: EnclaveTimeouts

    public init(toolsDirectory: String? = nil, root: String = "/", timeouts: EnclaveTimeouts = EnclaveTimeouts()) {
        self.toolsDirectory = toolsDirectory
        self.root = root
        self.timeouts = timeouts
    }

    /// `path` (absolute, e.g. `/sys/kernel/mOS/lwkcpus`) under `root`.
    public func hostPath(_ path: String) -> String {
        if root == "/" || root.isEmpty { return path }
        return (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
    }

    /// The executable for `tool`, or nil when it is not installed.
    public func locate(_ tool: String) -> String? {
        let fm = FileManager.default
        if let dir = toolsDirectory {
            let path = URL(fileURLWithPath: dir).appendingPathComponent(tool).path
            return fm.isExecutableFile(atPath: path) ? path : nil
        }
        let search = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in search.split(separator: ":") where !dir.isEmpty {
            let path = URL(fileURLWithPath: String(dir)).appendingPathComponent(tool).path
            if fm.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    public func fileExists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: hostPath(path)) }
}

/// Time limits and retry policy. The defaults suit real hardware; tests use
/// short ones.
public struct EnclaveTimeouts: Sendable {
    /// A single tool run.
    public var tool: Double
    /// Waiting for an enclave to reach RUNNING.
    public var boot: Double
    /// Waiting for a shutdown to finish (IHK: INACTIVE).
    public var shutdown: Double
    /// Between status polls.
    public var pollInterval: Double
    /// Extra attempts on EBUSY (IHK destroy while /dev/mcosN is held; mcreboot retries 4×).
    public var busyRetries: Int
    /// First pause between busy retries; doubles each time.
    public var busyBackoff: Double

    public init(
        tool: Double = 120, boot: Double = 60, shutdown: Double = 60, pollInterval: Double = 0.2, busyRetries: Int = 4,
        busyBackoff: Double = 0.25
    ) {
        self.tool = tool
        self.boot = boot
        self.shutdown = shutdown
        self.pollInterval = pollInterval
        self.busyRetries = busyRetries
        self.busyBackoff = busyBackoff
    }
}
