import FoundationEssentials
import Glibc

/// Runs a program with an argument vector (`posix_spawn`, never a shell),
/// stdin from /dev/null, and collects what it prints. Replaces Foundation's
/// `Process`, which linked all of Foundation (and ICU) into the binary.
public enum ChildProcess {
    /// What a finished (or killed) child left.
    public struct Outcome: Sendable, Equatable {
        /// The exit status, or 128 + the signal that ended it (as a shell reports it).
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// Killed after the time limit.
        public var timedOut: Bool
    }

    /// Where a child's output goes.
    public enum Output: Sendable { case capture, discard }

    /// Spawns `executable` and waits for it; after `timeout` seconds it gets
    /// SIGTERM, two seconds later SIGKILL (the limit is kept while reading
    /// a captured stream, so it needs one). Throws only when it cannot start.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        stdout: Output = .capture, stderr: Output = .capture, timeout: Double? = nil
    ) throws(SystemError) -> Outcome {
        var pipes: [(read: Int32, target: Int32)] = []
        defer { for p in pipes { close(p.read) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var writeEnds: [Int32] = []
        defer { for fd in writeEnds { close(fd) } }
        for (target, output) in [(Int32(1), stdout), (Int32(2), stderr)] {
            switch output {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .capture:
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else { throw SystemError(call: "pipe", errno: errno) }
                // Not inherited by other children spawned meanwhile (Glibc's
                // module map leaves out pipe2).
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                pipes.append((fds[0], target))
                writeEnds.append(fds[1])
                // dup2 clears close-on-exec on the child's copy.
                posix_spawn_file_actions_adddup2(&actions, fds[1], target)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked,
        // whatever the parent (a watch loop catching SIGTERM) set up.
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { env in
            env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { for p in envp ?? [] { free(p) } }
        var pid: pid_t = 0
        let spawned = envp.map { e in posix_spawn(&pid, executable, &actions, &attributes, argv, e) }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw SystemError(call: "posix_spawn", path: executable, errno: spawned) }
        for fd in writeEnds { close(fd) }
        writeEnds = []

        var collected: [Int32: [UInt8]] = [:]
        let deadline = timeout.map { seconds() + $0 }
        var timedOut = false
        var open = pipes.map(\.read)
        var killAt: Double?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            let now = seconds()
            if let deadline, !timedOut, now >= deadline {
                timedOut = true
                kill(pid, SIGTERM)
                killAt = now + 2
            }
            if let k = killAt, now >= k {
                kill(pid, SIGKILL)
                killAt = nil
            }
            let wake = [killAt, timedOut ? nil : deadline].compactMap { $0 }.min()
            let waitMs = wake.map { Int32(max(0, min(1_000, ($0 - now) * 1000)).rounded(.up)) } ?? -1
            var polled = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&polled, nfds_t(polled.count), waitMs)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in polled where p.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    collected[p.fd, default: []] += buffer[0..<n]
                } else if n == 0 || errno != EINTR && errno != EAGAIN {
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        var raw: Int32 = 0
        var reaped = false
        if timedOut, let limit = killAt {
            // Output closed within the grace period after SIGTERM: give the
            // child the rest of it to exit, then kill it.
            while !reaped && seconds() < limit {
                let r = waitpid(pid, &raw, WNOHANG)
                if r == pid { reaped = true } else if r < 0 && errno != EINTR { break } else { usleep(10_000) }
            }
            if !reaped { kill(pid, SIGKILL) }
        }
        if !reaped { while waitpid(pid, &raw, 0) < 0 && errno == EINTR {} }
        let signal = raw & 0x7F
        let status = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
        func bytes(_ target: Int32) -> [UInt8] {
            pipes.first { $0.target == target }.flatMap { collected[$0.read] } ?? []
        }
        return Outcome(status: status, stdout: bytes(1), stderr: bytes(2), timedOut: timedOut)
    }

    /// Monotonic seconds (deadlines do not move with the wall clock).
    static func seconds() -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static let start = ContinuousClock.now
}
