import FoundationEssentials
import Glibc

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
        if let dir = toolsDirectory {
            let path = Self.join(dir, tool)
            return Self.isExecutableFile(path) ? path : nil
        }
        // getenv and access(2), not ProcessInfo and FileManager: every
        // command looks for the three co-kernels' tools at start-up.
        let search = getenv("PATH").map { String(cString: $0) } ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in search.split(separator: ":") where !dir.isEmpty {
            let path = Self.join(String(dir), tool)
            if Self.isExecutableFile(path) { return path }
        }
        return nil
    }

    /// `dir/tool`; a relative `dir` is made absolute as before (URL's rules).
    private static func join(_ dir: String, _ tool: String) -> String {
        guard dir.hasPrefix("/") else { return URL(fileURLWithPath: dir).appendingPathComponent(tool).path }
        var base = Substring(dir)
        while base.count > 1 && base.hasSuffix("/") { base = base.dropLast() }
        return base == "/" ? "/" + tool : base + "/" + tool
    }

    /// An executable file (not a directory), as FileManager.isExecutableFile tells it.
    private static func isExecutableFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFDIR && access(path, X_OK) == 0
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
