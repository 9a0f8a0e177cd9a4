import Foundation

/// The real CPU hotplug of this machine, for the tests that take a CPU
/// offline. Tests that read the live host take the lock shared, the hotplug
/// test takes it exclusive, so nobody observes the host with CPU 1 gone by
/// accident (the lock is a file: other test processes agree too).
public enum LiveCPU {
    static let lockPath = "/tmp/sosplan-live-cpu.lock"

    /// The CPU the hotplug test takes offline (CPU 0 usually cannot go).
    public static let cpu = 1

    public static var onlineFile: String { "/sys/devices/system/cpu/cpu\(cpu)/online" }

    /// Why real hotplug cannot be tested here, or nil. `SOSPLAN_REAL_HOTPLUG=0`
    /// opts out on machines where offlining CPU 1 is unwelcome.
    public static let unavailableReason: String? = {
        if ProcessInfo.processInfo.environment["SOSPLAN_REAL_HOTPLUG"] == "0" { return "SOSPLAN_REAL_HOTPLUG=0" }
        if geteuid() != 0 { return "offlining a CPU needs root" }
        guard access(onlineFile, W_OK) == 0 else { return "\(onlineFile) is missing or read-only (no CPU hotplug here)" }
        guard (try? String(contentsOfFile: onlineFile, encoding: .utf8))?.hasPrefix("1") == true else {
            return "CPU \(cpu) is not online to begin with"
        }
        return SystemdLab.unavailableReason
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    /// Writes CPU 1's `online` file (the kernel sends the uevent).
    public static func set(online: Bool) throws {
        try (online ? "1" : "0").write(toFile: onlineFile, atomically: false, encoding: .utf8)
    }

    /// Brings CPU 1 back, retrying: the kernel may refuse while a hotplug
    /// operation is still in progress.
    public static func restore() {
        for _ in 0..<50 {
            if (try? set(online: true)) != nil,
               (try? String(contentsOfFile: onlineFile, encoding: .utf8))?.hasPrefix("1") == true { return }
            usleep(100_000)
        }
    }

    public static func withShared<T>(_ body: () throws -> T) rethrows -> T { try locked(LOCK_SH, body) }
    public static func withExclusive<T>(_ body: () throws -> T) rethrows -> T { try locked(LOCK_EX, body) }

    private static func locked<T>(_ mode: Int32, _ body: () throws -> T) rethrows -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        if fd >= 0 { while flock(fd, mode) != 0 && errno == EINTR {} }
        defer { if fd >= 0 { close(fd) } }
        return try body()
    }
}
