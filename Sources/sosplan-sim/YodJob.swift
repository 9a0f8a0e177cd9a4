import Foundation

/// A yod job while it runs. On mOS, yod reserves its LWK CPUs
/// (`lwkcpus_request`, mos `mos.c` `_lwkcpus_request_set`) and execs the
/// target; the kernel clears the reservation when the process exits
/// (`mos_exit_thread`), and until then `lwkcpus_reserved` shows the CPUs
/// and `lwkctl -d` refuses (`__lwkctl_delete`). With no mOS kernel to see
/// the exit, yod here stays as the job's parent: it ignores the stop
/// signals the job receives with it (systemd signals the whole unit), waits
/// for the job, clears the reservation and exits with the job's status. A
/// yod killed outright leaves a reservation that the next tool run drops
/// once neither process lives (`SimSync.liveJobs`).
enum YodJob {
    static func run(root: String, path: String, argv: [String]) -> Int32 {
        let me = getpid()
        var child: pid_t = 0
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        // The job starts with no signal blocked and default handlers, whatever yod inherited.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let spawned = posix_spawn(&child, path, nil, &attributes, cArgs, environ)
        guard spawned == 0 else {
            FileHandle.standardError.write(Data("yod (sosplan-sim): cannot exec \(path): \(String(cString: strerror(spawned)))\n".utf8))
            update(root: root) { jobs in jobs.removeAll { $0.pid == me } }
            return 1
        }
        for sig in [SIGTERM, SIGINT, SIGHUP] { signal(sig, SIG_IGN) }
        update(root: root) { jobs in
            if let i = jobs.firstIndex(where: { $0.pid == me }) { jobs[i].childPid = child }
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        update(root: root) { jobs in jobs.removeAll { $0.pid == me } }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Changes the running jobs under the sim lock and rewrites the files.
    static func update(root: String, _ body: (inout [MOSJob]) -> Void) {
        try? SimStore.locked(root: root) {
            guard let ctx = try? SimContext(root: root, tool: "yod", arguments: []), var mos = ctx.state.mos else { return }
            body(&mos.jobs)
            ctx.state.mos = mos
            ctx.finish(call: nil)
        }
    }

    /// Whether a process exists (signal 0; EPERM still means it does).
    static func alive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 || errno == EPERM }
}
