import Foundation

/// `sosplan-bench all [--smoke] [--runs N] [--write FILE]`: every case in one
/// run, each beside its peer measured in the same minute (absolute times
/// drift with the machine's load, ratios hold), printed as it goes and
/// written as a Markdown table with the machine, the command and the load.
/// `--smoke` runs a few quick cases once (CI: that it runs, not how fast).
enum SideBySide {
    struct Options {
        var smoke = false
        var runs: Int?
        var write: String?
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var o = Options()
        var rest = arguments[...]
        while let a = rest.popFirst() {
            switch a {
            case "--smoke": o.smoke = true
            case "--runs":
                guard let n = rest.popFirst().flatMap(Int.init), n > 0 else { throw BenchmarkError("--runs needs a positive number") }
                o.runs = n
            case "--write":
                guard let f = rest.popFirst() else { throw BenchmarkError("--write needs a file") }
                o.write = f
            default: throw BenchmarkError("unknown argument \(a) (sosplan-bench all [--smoke] [--runs N] [--write FILE])")
            }
        }
        return o
    }

    static func run(_ arguments: [String]) throws {
        let o = try parse(arguments)
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let sosplan = here.appendingPathComponent("sosplan"), sim = here.appendingPathComponent("sosplan-sim")
        let hello = here.appendingPathComponent("sosplan-hello")
        func runs(_ full: Int) -> Int { o.smoke ? 1 : o.runs ?? full }
        let started = Date(), loadBefore = loadAverage()
        var rows: [BenchRow] = []
        func section(_ name: String, _ body: () throws -> [BenchRow]) {
            FileHandle.standardError.write(Data("== \(name)\n".utf8))
            let start = DispatchTime.now().uptimeNanoseconds
            let got: [BenchRow]
            do { got = try body() } catch { got = [BenchRow(name: name, figure: "failed: \(error)")] }
            for r in got { print(r.text) }
            rows += got
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            FileHandle.standardError.write(Data(String(format: "   (%.1f s)\n", seconds).utf8))
        }
        let haveSosplan = FileManager.default.isExecutableFile(atPath: sosplan.path)
        section("validate") {
            let s = ValidateBenchmark.benchmark.samples(runs: runs(10))
            return [BenchRow(
                name: "validate: ~1 MiB layout, \(ValidateBenchmark.serviceCount) services (in-process, CPU time)", figure: s.ms(), spread: s.spread(),
                target: "≤ \(Int(ValidateBenchmark.target)) ms", met: s.median <= ValidateBenchmark.target,
                limits: "libyaml events → tree → layout values → static checks")]
        }
        section("plan") { PlanBenchmark.rows(runs: runs(7), smoke: o.smoke) }
        if !o.smoke { section("re-plan") { PlanBenchmark.replanRows(runs: runs(7)) } }
        section("plan on fixtures") {
            (o.smoke ? Array(PlanFixtureBenchmark.benchmarks.prefix(1)) : PlanFixtureBenchmark.benchmarks).map { b in
                let s = b.samples(runs: runs(10))
                return BenchRow(name: "plan: \(b.about.dropFirst("plan ".count)) (in-process, CPU time)", figure: s.ms(), spread: s.spread(),
                                limits: "real topology: uneven nodes, SMT-4 on POWER")
            }
        }
        section("placement quality") { PlacementQualityBenchmark.rows(smoke: o.smoke) }
        section("observe") {
            guard haveSosplan else { return [.skipped("observe", "no \(sosplan.path)")] }
            return try ObserveBenchmark.rows(
                fixtures: o.smoke ? [ObserveBenchmark.defaultFixtures[0]] : ObserveBenchmark.defaultFixtures, runs: runs(21),
                sosplan: sosplan)
        }
        section("plan memory") {
            guard haveSosplan else { return [.skipped("plan memory", "no \(sosplan.path)")] }
            return try PlanMemoryBenchmark.rows(runs: runs(5), sosplan: sosplan, smoke: o.smoke)
        }
        section("start-up") {
            guard haveSosplan else { return [.skipped("start-up", "no \(sosplan.path)")] }
            return try StartupBenchmark.rows(runs: runs(11), sosplan: sosplan, hello: hello, smoke: o.smoke)
        }
        section("enclaves") { try EnclaveBenchmark.rows(runs: runs(5), sim: sim) }
        if o.smoke {
            rows.append(.skipped("systemd, apply", "not in --smoke (they need a systemd lab and minutes)"))
        } else {
            let lab = try? sharedLab()
            defer { if let lab, let name = lab.name { _ = try? SystemdBenchmark.run(SystemdBenchmark.script, ["stop", "--purge", "--name", name]) } }
            section("systemd") { SystemdBenchmark.compare(runs: runs(3)) }
            section("apply") { ApplyBenchmark.compare(runs: runs(3)) }
            section("hotplug") { try HotplugBenchmark.rows(transitions: o.runs ?? 20, sosplan: sosplan) }
        }
        let elapsed = Date().timeIntervalSince(started), loadAfter = loadAverage()
        let command = "sosplan-bench " + CommandLine.arguments.dropFirst().joined(separator: " ")
        let text = markdown(rows: rows, command: command, elapsed: elapsed, load: (loadBefore, loadAfter), smoke: o.smoke)
        if let file = o.write {
            // Hand-written notes below the table (what stands in the way of a target) stay.
            let previous = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            let notes = previous.range(of: "\n" + notesHeading).map { String(previous[$0.lowerBound...]) } ?? ""
            try (text + notes).write(toFile: file, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(Data("wrote \(file)\n".utf8))
        }
        FileHandle.standardError.write(Data(String(format: "all cases in %.0f s\n", elapsed).utf8))
    }

    /// One systemd lab for both systemd cases (each would otherwise start its own).
    static func sharedLab() throws -> SystemdBenchmark.Lab {
        let lab = try SystemdBenchmark.startLab()
        setenv("SOSPLAN_SYSTEMD_BUS", lab.bus, 1)
        setenv("SOSPLAN_LAB_PID", lab.pid, 1)
        setenv("SOSPLAN_LAB_UNIT_DIR", lab.unitDirectory.path, 1)
        return lab
    }

    /// Where the hand-written part of BENCHMARKS.md starts; a new run keeps it.
    static let notesHeading = "## Closing notes"

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func machine() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? "?" } ?? "?"
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let kib = meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs (\(model)), \(kib >> 20) GiB, Linux \(release)"
    }

    static func markdown(rows: [BenchRow], command: String, elapsed: Double, load: (String, String), smoke: Bool) -> String {
        var t = "# Benchmarks\n\n"
        t += "Written by `\(command)` (release build"
        t += smoke ? "; a smoke run: one round of a few cases, the figures mean nothing).\n\n" : ").\n\n"
        t += "- Machine: \(machine())\n"
        t += "- Run: \(ISO8601DateFormatter().string(from: Date())), \(String(format: "%.0f", elapsed)) s for every case\n"
        t += "- Load average (1, 5, 15 min) before: \(load.0); after: \(load.1)\n"
        t += "- Times are medians (spread: fastest–slowest run): wall-clock for processes, the process's CPU time for "
        t += "in-process work (single-threaded; robust when the other jobs on the machine preempt it). A peer is measured in the "
        t += "same run, alternating with sosplan where both are processes; the ratio is sosplan / peer (for plan sizes: / the "
        t += "size before, and per doubling of CPUs and services).\n\n"
        t += BenchRow.header + "\n"
        for r in rows { t += r.markdown + "\n" }
        return t
    }
}
