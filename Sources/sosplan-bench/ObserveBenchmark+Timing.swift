import Foundation

extension ObserveBenchmark {
    /// Medians of wall-clock and CPU milliseconds.
    struct Timing: CustomStringConvertible {
        var wall: Double
        var cpu: Double

        init(_ samples: [(wall: Double, cpu: Double)]) {
            func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
            wall = median(samples.map(\.wall))
            cpu = median(samples.map(\.cpu))
        }

        var description: String { String(format: "%7.2f / %6.2f", wall, cpu) }
    }

    /// Runs `body` once to warm caches, then `runs` times.
    static func measure(_ runs: Int, _ body: () throws -> Void) throws -> Timing {
        try body()
        var samples: [(Double, Double)] = []
        for _ in 0..<runs {
            let wall0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_PROCESS_CPUTIME_ID)
            try body()
            samples.append((now(CLOCK_MONOTONIC) - wall0, now(CLOCK_PROCESS_CPUTIME_ID) - cpu0))
        }
        return Timing(samples)
    }

    /// Runs two programs alternately, `runs` times each after one warm-up.
    static func alternate(_ runs: Int, _ a: (String, [String]), _ b: (String, [String])) throws -> (Timing, Timing) {
        _ = try launch(a.0, a.1)
        _ = try launch(b.0, b.1)
        var first: [(Double, Double)] = [], second: [(Double, Double)] = []
        for _ in 0..<runs {
            first.append(try launch(a.0, a.1))
            second.append(try launch(b.0, b.1))
        }
        return (Timing(first), Timing(second))
    }

    static func now(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    /// Runs a program with its output discarded and returns its wall-clock
    /// and CPU milliseconds; fails unless it exits 0. `posix_spawn` +
    /// `wait4`, not Foundation's `Process`, whose exit polling rounds run
    /// times to tens of milliseconds.
    static func launch(_ path: String, _ arguments: [String]) throws -> (wall: Double, cpu: Double) {
        let r = try launchMeasured(path, arguments)
        return (r.wall, r.cpu)
    }

    /// The peak resident size (KiB) of a program, through GNU time (`%M`:
    /// `ru_maxrss` from its `wait4`). Not from this process's own `wait4`:
    /// a child started with vfork (posix_spawn) inherits the parent's
    /// high-water mark at exec, and this benchmark is larger than what it runs.
    static func peakRSS(_ path: String, _ arguments: [String], okStatuses: Set<Int32> = [0]) throws -> Int {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-rss-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try launchMeasured("/usr/bin/time", ["-f", "%M", "-o", out.path, path] + arguments, okStatuses: okStatuses)
        let text = try String(contentsOf: out, encoding: .utf8)
        guard let kib = text.split(separator: "\n").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw BenchmarkError("GNU time wrote no peak size: \(text)")
        }
        return kib
    }

    /// `launch` with a choice of exit statuses that count as success.
    static func launchMeasured(_ path: String, _ arguments: [String], okStatuses: Set<Int32> = [0]) throws
        -> (wall: Double, cpu: Double)
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let words: [String] = [path] + arguments
        let environment: [String] = ["PATH=/usr/bin:/bin"]
        let argv = words.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let start = now(CLOCK_MONOTONIC)
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchmarkError("cannot start \(path): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = now(CLOCK_MONOTONIC) - start
        // WIFEXITED && WEXITSTATUS == 0, spelled out (the macros are not imported).
        guard status & 0x7f == 0 && okStatuses.contains((status >> 8) & 0xff) else {
            throw BenchmarkError("\(path) \(arguments) failed (wait status \(status))")
        }
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1e3 + Double(t.tv_usec) / 1e3 }
        return (wall, ms(usage.ru_utime) + ms(usage.ru_stime))
    }
}
