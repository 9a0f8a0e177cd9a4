import FoundationEssentials
import Glibc

/// SIGINT/SIGTERM during an apply: the step in progress finishes, then the
/// apply stops and rolls back (never in the middle of a step).
public enum StopRequest {
    nonisolated(unsafe) static var flag: sig_atomic_t = 0
    nonisolated(unsafe) static var pipeEnds: (read: Int32, write: Int32) = (-1, -1)

    public static var isRequested: Bool { flag != 0 }

    /// Readable once a stop was requested: a loop that sleeps in poll(2)
    /// wakes up even when the signal went to another of its threads.
    public static var wakeDescriptor: Int32 { pipeEnds.read }

    /// Installs the handlers (once per process).
    public static func install() {
        if pipeEnds.read < 0 {
            var fds: [Int32] = [-1, -1]
            if pipe(&fds) == 0 {
                for fd in fds { _ = fcntl(fd, F_SETFL, O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                pipeEnds = (fds[0], fds[1])
            }
        }
        let handler: @convention(c) (Int32) -> Void = { _ in
            StopRequest.flag = 1
            var byte: UInt8 = 1
            if StopRequest.pipeEnds.write >= 0 { _ = write(StopRequest.pipeEnds.write, &byte, 1) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these blocked (the mask survives
        // exec): then SIGTERM would stay pending and the process unstoppable.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
