import Foundation
import SosplanCore
import SosplanDrivers

/// Changing resource settings of 200 slices on a real systemd: through the
/// driver (one sd-bus connection, `SetUnitProperties(runtime=true)`, each
/// change observed before and after) against 200 `systemctl set-property
/// --runtime` processes, the way a shell script would do it (`nsenter` is
/// how systemctl reaches the lab's systemd). Also times the persistent path:
/// 200 drop-in files and one `Reload`. Target: the driver at least 10x faster.
///
/// Uses the lab named by `SOSPLAN_SYSTEMD_BUS`/`SOSPLAN_LAB_PID`/
/// `SOSPLAN_LAB_UNIT_DIR`, or starts one with `scripts/systemd-lab` and
/// stops it afterwards; needs root.
enum SystemdBenchmark {
    static let slices = 200
    static let target = 10.0

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

    static func compare(runs: Int) -> String {
        let lab: Lab
        do { lab = try startLab() } catch { return "\(benchmark.name): skipped: \(error)" }
        defer { if let name = lab.name { _ = try? run(script, ["stop", "--purge", "--name", name]) } }
        do {
            return try measure(lab, runs: runs)
        } catch {
            return "\(benchmark.name): failed: \(error)"
        }
    }

    static func measure(_ lab: Lab, runs: Int) throws -> String {
        let driver = try SDBusSystemdDriver(busAddress: lab.bus, unitDirectory: lab.unitDirectory)
        let names = (0..<slices).map { String(format: "sosplan-bench-%03d.slice", $0) }
        _ = try driver.applySlices(names.map { SliceRequest(name: $0, resources: settings(round: 0, index: 0)) })
        defer { _ = try? driver.removeSlices(names) }

        var viaDriver: [Double] = [], viaSystemctl: [Double] = [], persistent: [Double] = []
        for round in 1...runs {
            // Each round sets new values, so every call really changes something.
            viaDriver.append(try time {
                for (i, n) in names.enumerated() {
                    let change = try driver.setRuntimeResources(n, settings(round: 3 * round, index: i))
                    guard change.changed else { throw Failure(what: "driver reported no change on \(n)") }
                }
            })
            viaSystemctl.append(try time {
                for (i, n) in names.enumerated() {
                    let s = settings(round: 3 * round + 1, index: i)
                    let r = try run(URL(fileURLWithPath: "/usr/bin/nsenter"), [
                        "-t", lab.pid, "-a", "systemctl", "set-property", "--runtime", n,
                        "AllowedCPUs=\(s.allowedCPUs!)", "CPUWeight=\(s.cpuWeight!)", "MemoryMax=\(s.memoryMax!)",
                    ])
                    guard r.status == 0 else { throw Failure(what: "systemctl set-property \(n): \(r.stderr)") }
                }
            })
            let expected = settings(round: 3 * round + 1, index: slices - 1)
            guard try driver.observeUnit(names[slices - 1]).cpuWeight == expected.cpuWeight else {
                throw Failure(what: "systemctl's change is not visible")
            }
            persistent.append(try time {
                let requests = names.enumerated().map { i, n in SliceRequest(name: n, resources: settings(round: 3 * round + 2, index: i)) }
                let changes = try driver.applySlices(requests)
                guard changes.allSatisfy(\.changed) else { throw Failure(what: "a persistent change did nothing") }
            })
        }
        let d = Benchmark.median(viaDriver), c = Benchmark.median(viaSystemctl), p = Benchmark.median(persistent)
        let ratio = c / d
        func ms(_ v: Double) -> String { String(format: "%.0f ms", v) }
        return "\(benchmark.name): driver (one connection, runtime) median \(ms(d)); "
            + "systemctl set-property --runtime x\(slices) median \(ms(c)); "
            + "speedup \(String(format: "%.1f", ratio))x (target >= \(Int(target))x\(ratio >= target ? "" : ", MISSED")); "
            + "driver persistent (\(slices) drop-in files + 1 reload) median \(ms(p)); \(runs) rounds"
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

    // MARK: the lab

    static var script: URL {
        var url = URL(fileURLWithPath: #filePath)  // Sources/sosplan-bench/SystemdBenchmark.swift
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/systemd-lab")
    }

    static func startLab() throws -> Lab {
        let env = ProcessInfo.processInfo.environment
        if let bus = env["SOSPLAN_SYSTEMD_BUS"], let pid = env["SOSPLAN_LAB_PID"], let dir = env["SOSPLAN_LAB_UNIT_DIR"] {
            return Lab(bus: bus, pid: pid, unitDirectory: URL(fileURLWithPath: dir), name: nil)
        }
        guard geteuid() == 0 else { throw Failure(what: "needs root to start a systemd lab (or SOSPLAN_LAB_* of a running one)") }
        let name = "sosplan-bench-\(getpid())"
        let r = try run(script, ["start", "--name", name, "--watch-pid", "\(getpid())"])
        guard r.status == 0 else { throw Failure(what: "scripts/systemd-lab start: \(r.stderr)") }
        var exports: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            let kv = line.dropFirst(7).split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { exports[kv[0]] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        }
        guard let bus = exports["SOSPLAN_SYSTEMD_BUS"], let pid = exports["SOSPLAN_LAB_PID"], let dir = exports["SOSPLAN_LAB_UNIT_DIR"] else {
            throw Failure(what: "scripts/systemd-lab printed no exports")
        }
        return Lab(bus: bus, pid: pid, unitDirectory: URL(fileURLWithPath: dir), name: name)
    }

    /// Runs a program with an argument vector (no shell) and captures its output.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let errData = ErrorCollector()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.get(), as: UTF8.self))
    }

    final class ErrorCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
        func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
    }
}
