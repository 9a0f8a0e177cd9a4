import FoundationEssentials
import Glibc
import SosplanCore

/// One apply at a time per state directory: an exclusive `flock` on
/// `<state>/lock`, whose content names the holder (pid, command, start
/// time). The kernel drops the lock when the holder dies, so a crashed
/// apply never leaves a stale lock; the content is only for the message.
public final class ApplyLock {
    public static let fileName = "lock"

    /// Who holds (or last held) the lock.
    public struct Holder: Codable, Sendable, Hashable, CustomStringConvertible {
        public var pid: Int32
        public var command: String
        public var startedAt: String
        public var hostname: String?

        public init(pid: Int32, command: String, startedAt: String, hostname: String?) {
            self.pid = pid
            self.command = command
            self.startedAt = startedAt
            self.hostname = hostname
        }

        public var description: String { "pid \(pid) (\(command)), since \(startedAt)" }
    }

    public enum Failure: Error, CustomStringConvertible {
        /// Held by another process after waiting `waited` seconds.
        case held(by: Holder?, waited: Double, path: String)
        case io(String)

        public var description: String {
            switch self {
            case .held(let holder, let waited, let path):
                let who = holder.map { "\($0)" } ?? "another process (its details in \(path) are unreadable)"
                let wait = waited > 0 ? " after waiting \(Self.seconds(waited))" : ""
                return "another sosplan apply holds the lock\(wait): \(who)"
            case .io(let text): return text
            }
        }

        static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : FixedPoint.text(s, digits: 1) + " s" }
    }

    public let path: String
    private var fd: Int32 = -1

    private init(path: String) { self.path = path }

    deinit { release() }

    /// Takes the lock, waiting up to `timeout` seconds (0: fail at once).
    public static func acquire(
        in directory: StateDirectory, command: String, timeout: Double, hostname: String? = nil
    ) throws(Failure) -> ApplyLock {
        let lock = ApplyLock(path: directory.file(fileName).path)
        do { try directory.checkWritable() } catch { throw .io("\(error.description) (\(error.hint))") }
        do { try DurableFile.makeDirectory(directory.url.path) } catch { throw .io("cannot create the state directory: \(error)") }
        let fd = open(lock.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw .io("cannot open the lock: \(SystemError(call: "open", path: lock.path, errno: errno))") }
        let start = Date()
        var pause = 0.05
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            guard e == EWOULDBLOCK || e == EINTR else {
                close(fd)
                throw .io("cannot lock: \(SystemError(call: "flock", path: lock.path, errno: e))")
            }
            let waited = Date().timeIntervalSince(start)
            if waited >= timeout {
                close(fd)
                throw .held(by: holder(at: lock.path), waited: timeout, path: lock.path)
            }
            usleep(useconds_t(min(pause, max(timeout - waited, 0.01)) * 1_000_000))
            pause = min(pause * 2, 1)
        }
        lock.fd = fd
        let me = Holder(pid: getpid(), command: command, startedAt: Timestamp.now(), hostname: hostname)
        let text = (try? JSONValueEncoder().encode(me)).map(JSONWriter.compact) ?? "{}"
        // Written in place through the locked descriptor: the file itself is the lock.
        _ = ftruncate(fd, 0)
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return lock
    }

    /// Whether an apply holds the lock now (probed with a shared lock, so
    /// the holder's record in the file is left as it is).
    public static func isHeld(in directory: StateDirectory) -> Bool {
        let fd = open(directory.file(fileName).path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        _ = flock(fd, LOCK_UN)
        return false
    }

    /// The holder recorded in the lock file, if readable.
    public static func holder(at path: String) -> Holder? {
        // Read like any state file: a FIFO put in its place must not block the message.
        guard let bytes = (try? StateFileReader.read(path, limit: 64 << 10, remedy: "")) ?? nil,
            let value = try? JSONParser.parse(bytes)
        else { return nil }
        return try? JSONValueDecoder().decode(Holder.self, from: value)
    }

    /// Releases the lock (also done when the process exits).
    public func release() {
        guard fd >= 0 else { return }
        _ = flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }
}

/// RFC 3339 UTC timestamps with milliseconds, for journals and records.
public enum Timestamp {
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let ms = Int((t - Double(seconds)) * 1000)
        func digits(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let date = "\(digits(Int(parts.tm_year) + 1900, 4))-\(digits(Int(parts.tm_mon) + 1, 2))-\(digits(Int(parts.tm_mday), 2))"
        return "\(date)T\(digits(Int(parts.tm_hour), 2)):\(digits(Int(parts.tm_min), 2)):\(digits(Int(parts.tm_sec), 2)).\(digits(ms, 3))Z"
    }
}
