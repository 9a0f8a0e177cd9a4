import Foundation
import SosplanCore
import SosplanDrivers

/// Changing resource settings of 200 slices on a real systemd: through the
/// driver (one sd-bus connection, `SetUnitProperties(runtime=true)`, every
/// slice observed before and after) against 200 `systemctl set-property
/// --runtime` processes spawned by xargs, the way a script would do it.
///
/// Like systemctl (as root), the driver talks to PID 1's private socket. In
/// the lab that socket only answers clients inside the lab's pid namespace,
/// so the driver phases run in a copy of this program started with
/// `nsenter -t PID -p` (systemctl gets `nsenter -t PID -a`); the same batch
/// through the lab's dbus-daemon is reported too. Also timed: the driver one
/// call per slice, and the persistent path (200 unit files and one
/// `Reload`). Target: the batch at least 10x faster than systemctl.
enum SystemdBenchmark {
    static let slices = 200
    static let target = 10.0
    static let workerVariable = "SOSPLAN_BENCH_SYSTEMD_WORKER"

    static let benchmark = Benchmark(
        name: "systemd-set-property-200",
        about: "set AllowedCPUs, CPUWeight, MemoryMax on 200 slices: driver vs 200 systemctl processes (real systemd lab)",
        defaultRuns: 3, prepare: { {} }, compare: { runs in compare(runs: runs) })

    struct Lab {
        var bus: String
        var pid: String
        var unitDirectory: URL
        var name: String?
    }

    static var names: [String] { (0..<slices).map { String(format: "sosplan-bench-%03d.slice", $0) } }

    static func compare(runs: Int) -> [BenchRow] {
        let lab: Lab
        do { lab = try startLab() } catch { return [.skipped(benchmark.name, "\(error)")] }
        defer { if let name = lab.name { _ = try? run(script, ["stop", "--purge", "--name", name]) } }
        do {
            if let address = ProcessInfo.processInfo.environment[workerVariable] {
                return [BenchRow(name: "worker", figure: try worker(address: address, lab: lab, runs: runs))]
            }
            return try measure(lab, runs: runs)
        } catch {
            return [BenchRow(name: benchmark.name, figure: "failed: \(error)")]
        }
    }

    /// The driver phases over PID 1's private socket (inside the lab's pid
    /// namespace); prints `worker batch=MS single=MS`.
    static func worker(address: String, lab: Lab, runs: Int) throws -> String {
        let driver = try SDBusSystemdDriver(busAddress: address, unitDirectory: lab.unitDirectory)
        var batch: [Double] = [], single: [Double] = [], systemdCPU: [Double] = []
        for round in 1...runs {
            let before = systemdTime(lab)
            batch.append(try timeBatch(driver, round: 5 * round))
            systemdCPU.append(systemdTime(lab) - before)
            single.append(try time {
                for (i, n) in names.enumerated() {
                    let change = try driver.setRuntimeResources(n, settings(round: 5 * round + 1, index: i))
                    guard change.changed else { throw Failure(what: "driver reported no change on \(n)") }
                }
            })
        }
        return "batch=\(Benchmark.median(batch)) single=\(Benchmark.median(single)) systemd=\(Benchmark.median(systemdCPU)) "
            + "batchMin=\(batch.min() ?? 0) batchMax=\(batch.max() ?? 0)"
    }

    static func timeBatch(_ driver: SDBusSystemdDriver, round: Int) throws -> Double {
        try time {
            let changes = try driver.setRuntimeResources(names.enumerated().map { ($1, settings(round: round, index: $0)) })
            guard changes.allSatisfy(\.changed) else { throw Failure(what: "driver reported no change") }
        }
    }

    static func measure(_ lab: Lab, runs: Int) throws -> [BenchRow] {
        let driver = try SDBusSystemdDriver(busAddress: lab.bus, unitDirectory: lab.unitDirectory)
        let names = names
        _ = try driver.applySlices(names.map { SliceRequest(name: $0, resources: settings(round: 0, index: 0)) })
        defer { _ = try? driver.removeSlices(names) }

        // The driver over the private socket, in the lab's pid namespace.
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let inside = try run(URL(fileURLWithPath: "/usr/bin/env"), [
            "\(workerVariable)=unix:path=/proc/\(lab.pid)/root/run/systemd/private", "SOSPLAN_SYSTEMD_BUS=\(lab.bus)",
            "SOSPLAN_LAB_PID=\(lab.pid)", "SOSPLAN_LAB_UNIT_DIR=\(lab.unitDirectory.path)",
            "/usr/bin/nsenter", "-t", lab.pid, "-p", "--", me, benchmark.name, "--runs", "\(runs)",
        ])
        guard inside.status == 0, let line = inside.stdout.split(separator: "\n").first(where: { $0.hasPrefix("worker") }),
            let d = value("batch", in: line), let single = value("single", in: line), let dCPU = value("systemd", in: line)
        else { throw Failure(what: "driver in the lab's pid namespace: \(inside.stdout)\(inside.stderr)") }

        let argumentFile = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-systemctl-\(getpid()).args")
        defer { try? FileManager.default.removeItem(at: argumentFile) }
        var viaBus: [Double] = [], viaSystemctl: [Double] = [], persistent: [Double] = [], systemctlCPU: [Double] = []
        var persistentCPU: [Double] = []
        for round in 1...runs {
            viaBus.append(try timeBatch(driver, round: 5 * round + 2))
            // 200 systemctl processes spawned by xargs (fork + exec, no shell), as a script would.
            let lines = names.enumerated().map { i, n in
                let s = settings(round: 5 * round + 3, index: i)
                return "-t \(lab.pid) -a systemctl set-property --runtime \(n) AllowedCPUs=\(s.allowedCPUs!) "
                    + "CPUWeight=\(s.cpuWeight!) MemoryMax=\(s.memoryMax!)"
            }
            try (lines.joined(separator: "\n") + "\n").write(to: argumentFile, atomically: true, encoding: .utf8)
            let before = systemdTime(lab)
            viaSystemctl.append(try time {
                let r = try run(URL(fileURLWithPath: "/usr/bin/xargs"), ["-L", "1", "-a", argumentFile.path, "/usr/bin/nsenter"])
                guard r.status == 0 else { throw Failure(what: "systemctl set-property: \(r.stderr)") }
            })
            systemctlCPU.append(systemdTime(lab) - before)
            let expected = settings(round: 5 * round + 3, index: slices - 1)
            guard try driver.observeUnit(names[slices - 1]).cpuWeight == expected.cpuWeight else {
                throw Failure(what: "systemctl's change is not visible")
            }
            let beforePersistent = systemdTime(lab)
            persistent.append(try time {
                let requests = names.enumerated().map { i, n in SliceRequest(name: n, resources: settings(round: 5 * round + 4, index: i)) }
                guard try driver.applySlices(requests).allSatisfy(\.changed) else { throw Failure(what: "a persistent change did nothing") }
            })
            persistentCPU.append(systemdTime(lab) - beforePersistent)
        }
        let c = Samples(values: viaSystemctl), bus = Samples(values: viaBus), p = Samples(values: persistent)
        let batchSpread = (value("batchMin", in: line) ?? d, value("batchMax", in: line) ?? d)
        let sysCPU = Benchmark.median(systemctlCPU), pCPU = Benchmark.median(persistentCPU)
        let speedup = c.median / d
        let rounds = "\(runs) rounds"
        return [
            BenchRow(
                name: "systemd: \(slices) runtime slice changes, driver batch (private socket)", figure: Samples.ms(d, 0),
                spread: "\(Samples.ms(batchSpread.0, 0))–\(Samples.ms(batchSpread.1, 0))",
                peer: "\(slices) × `systemctl set-property --runtime` \(c.ms(0))", ratio: Samples.ratio(d / c.median),
                target: "≥ \(Int(target))× faster (≤ \(String(format: "%.2f", 1 / target))×)", met: speedup >= target,
                limits: "systemd's own CPU \(Samples.ms(dCPU, 0)) for the batch (\(Samples.ratio(d / max(dCPU, 1))) of it); \(rounds)"),
            BenchRow(
                name: "systemd: same batch via the lab's dbus-daemon", figure: bus.ms(0), spread: bus.spread(0),
                peer: "systemctl ×\(slices) \(c.ms(0))", ratio: Samples.ratio(bus.median / c.median),
                limits: "one more hop (dbus-daemon)"),
            BenchRow(
                name: "systemd: driver, one call per slice", figure: Samples.ms(single, 0),
                peer: "systemctl ×\(slices) \(c.ms(0))", ratio: Samples.ratio(single / c.median),
                limits: "a round trip per slice"),
            BenchRow(
                name: "systemd: systemctl ×\(slices) vs systemd's own CPU", figure: c.ms(0), spread: c.spread(0),
                peer: "systemd CPU \(Samples.ms(sysCPU, 0))", ratio: Samples.ratio(c.median / max(sysCPU, 1)),
                limits: "\(slices) fork+exec of nsenter + systemctl"),
            BenchRow(
                name: "systemd: persistent, \(slices) unit files + 1 reload (driver)", figure: p.ms(0), spread: p.spread(0),
                peer: "systemd CPU \(Samples.ms(pCPU, 0))", ratio: Samples.ratio(p.median / max(pCPU, 1)),
                limits: "the daemon reload re-reads every unit"),
        ]
    }

    private static func value(_ key: String, in line: Substring) -> Double? {
        line.split(separator: " ").first { $0.hasPrefix("\(key)=") }.flatMap { Double($0.dropFirst(key.count + 1)) }
    }

    /// CPU time the lab's systemd has used so far (ms), from /proc/PID/stat.
    static func systemdTime(_ lab: Lab) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(lab.pid)/stat", encoding: .utf8),
            let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 12,
            let user = Double(fields[11]), let system = Double(fields[12])
        else { return 0 }
        return (user + system) * 1000 / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Distinct values per round and slice (CPU 0 or 1 so any 2-CPU host works).
    static func settings(round: Int, index: Int) -> ResourceControl {
        ResourceControl(
            allowedCPUs: CPUSet([(round + index) % 2]), cpuWeight: UInt64(100 + (round * 7 + index) % 900),
            memoryMax: .value(UInt64(64 + round % 64) << 20))
    }

    static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    struct Failure: Error, CustomStringConvertible {
        var what: String
        var description: String { what }
    }
}
