import Foundation
import SosplanCore
import SosplanDrivers

/// `sosplan apply --yes` end to end (the release binary: observe, plan,
/// lock, journal, the driver, post-checks) on a plan of 200 slice changes,
/// against the driver's raw batch of the same 200 changes (`applySlices`:
/// the persistent path apply takes, 200 unit files and one reload) and
/// against the lab systemd's own CPU time, all in one run on a real systemd
/// lab. Layouts A and B give 200 Linux services the same slices with other
/// CPUWeight and MemoryMax; A is applied once untimed (it also starts the
/// services), then B and A alternate. The host is read from / (Linux only,
/// no co-kernel), systemd is the lab's over its dbus-daemon, like the
/// driver's batch. Targets: apply within 1.5x the raw batch, what apply adds
/// beyond a plan within 1.2x of it, and within 1.3x systemd's own CPU time.
///
/// It runs twice over the same lab, once per transport, with sosplan and the
/// batch always on the same one: through the lab's dbus-daemon, and straight
/// to PID 1's private socket, which is what sosplan (like systemctl) uses as
/// root on a real host. systemd accepts the private socket only from a peer
/// in its PID namespace, so that pass is this program again under
/// `nsenter -p`, handing its rows back in a file.
enum ApplyBenchmark {
    static let services = 200
    static let overheadTarget = 1.2
    /// Apply end to end against the raw batch (issue 23: observe, plan,
    /// journal and checks may add at most half the batch's time).
    static let batchTarget = 1.5
    static let systemdTarget = 1.3

    static let benchmark = Benchmark(
        name: "apply-200-slices",
        about: "sosplan apply --yes (release binary) of a 200-slice-change plan vs the driver's raw batch of the same changes (real systemd lab)",
        defaultRuns: 5, prepare: { {} }, compare: { runs in compare(runs: runs) })

    static var slices: [String] { (0..<services).map { String(format: "sosplan-b%03d.slice", $0) } }

    /// Layout A (`variant` 0) or B (1): every service differs in CPUWeight and MemoryMax.
    static func layout(variant: Int) -> String {
        var text = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata:\n  name: bench-apply\nspec:\n  services:\n"
        for i in 0..<services {
            text += String(format: "    - name: b%03d\n", i)
            text += "      exec: [\"/bin/sleep\", \"infinity\"]\n"
            text += "      cpuWeight: \(100 + i + 300 * variant)\n"
            text += "      memory: {max: \(64 + 64 * variant)Mi}\n"
        }
        return text
    }

    static func compare(runs: Int) -> [BenchRow] {
        let name = benchmark.name
        let sosplan = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("sosplan")
        guard FileManager.default.isExecutableFile(atPath: sosplan.path) else {
            return [.skipped(name, "no \(sosplan.path) (swift build -c release --product sosplan)")]
        }
        let lab: SystemdBenchmark.Lab
        do { lab = try SystemdBenchmark.startLab() } catch { return [.skipped(name, "\(error)")] }
        defer { if let n = lab.name { _ = try? SystemdBenchmark.run(SystemdBenchmark.script, ["stop", "--purge", "--name", n]) } }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-apply-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        if let rowsFile = ProcessInfo.processInfo.environment[directRowsVariable] {
            let rows = measureOrFail(lab, transport: .privateSocket, sosplan: sosplan, work: work, runs: runs)
            do { try JSONEncoder().encode(rows).write(to: URL(fileURLWithPath: rowsFile)) } catch { return [BenchRow(name: name, figure: "failed: \(error)")] }
            return rows
        }
        return measureOrFail(lab, transport: .bus, sosplan: sosplan, work: work, runs: runs) + direct(lab, runs: runs)
    }

    /// How sosplan and the batch reach the lab's systemd.
    enum Transport {
        case bus, privateSocket

        var label: String { self == .bus ? "via dbus-daemon" : "PID 1's private socket, root's default" }
    }

    /// Set (to a file for the rows) in the pass that runs inside the lab's PID namespace.
    static let directRowsVariable = "SOSPLAN_BENCH_APPLY_DIRECT_ROWS"

    static func measureOrFail(_ lab: SystemdBenchmark.Lab, transport: Transport, sosplan: URL, work: URL, runs: Int) -> [BenchRow] {
        do {
            return try measure(lab, transport: transport, sosplan: sosplan, work: work, runs: runs)
        } catch {
            return [BenchRow(name: "\(benchmark.name) (\(transport.label))", figure: "failed: \(error)")]
        }
    }

    /// The private-socket pass: this benchmark again, in the lab's PID namespace.
    static func direct(_ lab: SystemdBenchmark.Lab, runs: Int) -> [BenchRow] {
        let name = "\(benchmark.name) (\(Transport.privateSocket.label))"
        let rowsFile = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-apply-rows-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: rowsFile) }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let environment = [
            "SOSPLAN_SYSTEMD_BUS=unix:path=/proc/\(lab.pid)/root/run/systemd/private", "SOSPLAN_LAB_PID=\(lab.pid)",
            "SOSPLAN_LAB_UNIT_DIR=\(lab.unitDirectory.path)", "\(directRowsVariable)=\(rowsFile.path)",
        ]
        do {
            let r = try SystemdBenchmark.run(
                URL(fileURLWithPath: "/usr/bin/env"),
                environment + ["nsenter", "-t", lab.pid, "-p", "--", me, benchmark.name, "--runs", "\(runs)"])
            guard r.status == 0 else { return [.skipped(name, "nsenter -p exited \(r.status): \(r.stderr)")] }
            return try JSONDecoder().decode([BenchRow].self, from: Data(contentsOf: rowsFile))
        } catch {
            return [BenchRow(name: name, figure: "failed: \(error)")]
        }
    }

    static func measure(_ lab: SystemdBenchmark.Lab, transport: Transport, sosplan: URL, work: URL, runs: Int) throws -> [BenchRow] {
        let state = work.appendingPathComponent(transport == .bus ? "state" : "state-direct")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let layouts = try (0...1).map { v in
            let url = work.appendingPathComponent(v == 0 ? "a.yaml" : "b.yaml")
            try layout(variant: v).write(to: url, atomically: true, encoding: .utf8)
            return url
        }
        let environment = [
            "SOSPLAN_SYSTEMD_BUS=\(lab.bus)", "SOSPLAN_UNIT_DIR=\(lab.unitDirectory.path)", "SOSPLAN_STATE_DIR=\(state.path)",
        ]
        func apply(_ v: Int) throws {
            let r = try SystemdBenchmark.run(URL(fileURLWithPath: "/usr/bin/env"), environment + [sosplan.path, "apply", "--yes", layouts[v].path])
            guard r.status == 0 else { throw SystemdBenchmark.Failure(what: "sosplan apply \(layouts[v].lastPathComponent) exited \(r.status): \(r.stderr)") }
        }
        let names = slices
        // The plan from A to B, by action (sosplan plan exits 2 when there are changes).
        func planActions(_ layout: URL) throws -> [String: Int] {
            let r = try SystemdBenchmark.run(URL(fileURLWithPath: "/usr/bin/env"), environment + [sosplan.path, "plan", "--format", "json", layout.path])
            guard r.status == 2, let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                let steps = json["steps"] as? [[String: Any]]
            else { throw SystemdBenchmark.Failure(what: "sosplan plan exited \(r.status): \(r.stderr)") }
            return steps.reduce(into: [:]) { counts, step in counts[step["action"] as? String ?? "?", default: 0] += 1 }
        }
        func expectWeight(_ v: Int) throws {
            let w = try driver.observeUnit(names[services - 1]).cpuWeight
            guard w == UInt64(100 + services - 1 + 300 * v) else { throw SystemdBenchmark.Failure(what: "slice weight \(String(describing: w)) after layout \(v)") }
        }
        // What apply leaves on each slice, for the driver to write the very same changes.
        func requests() throws -> [SliceRequest] {
            try driver.observeUnits(names).map { u in
                SliceRequest(name: u.name, resources: ResourceControl(observed: u))
            }
        }
        // Untimed: A creates the slices and starts the services, B and A once more
        // to page everything in and take the requests apply makes.
        // Creating 200 units takes minutes (a reload each); a lab given by SOSPLAN_LAB_*
        // keeps them for the next run, which then starts in seconds.
        try apply(0)
        let driver = try SDBusSystemdDriver(busAddress: lab.bus, unitDirectory: lab.unitDirectory)
        try apply(1); try expectWeight(1)
        let requestsB = try requests()
        try apply(0); try expectWeight(0)
        let requestsA = try requests()
        let steps = try planActions(layouts[1])
        guard steps == ["slice.update": services] else {
            throw SystemdBenchmark.Failure(what: "the plan from A to B is not \(services) slice changes: \(steps)")
        }

        var applyWall: [Double] = [], applySystemd: [Double] = [], batchWall: [Double] = [], batchSystemd: [Double] = []
        // `sosplan plan` of the layout about to be applied: the observe and plan
        // every apply starts with, so that what apply adds (lock, journal,
        // priors, checks, the record) shows apart from what any run pays.
        var planWall: [Double] = []
        for _ in 1...runs {
            for v in [1, 0] {
                var planned: Int32 = -1
                planWall.append(try SystemdBenchmark.time {
                    planned = try SystemdBenchmark.run(
                        URL(fileURLWithPath: "/usr/bin/env"), environment + [sosplan.path, "plan", "--format", "json", layouts[v].path]).status
                })
                guard planned == 2 else { throw SystemdBenchmark.Failure(what: "sosplan plan \(layouts[v].lastPathComponent) exited \(planned)") }
                let before = SystemdBenchmark.systemdTime(lab)
                applyWall.append(try SystemdBenchmark.time { try apply(v) })
                applySystemd.append(SystemdBenchmark.systemdTime(lab) - before)
                try expectWeight(v)
            }
            for v in [1, 0] {
                let before = SystemdBenchmark.systemdTime(lab)
                batchWall.append(try SystemdBenchmark.time {
                    guard try driver.applySlices(v == 1 ? requestsB : requestsA).allSatisfy(\.changed) else {
                        throw SystemdBenchmark.Failure(what: "a driver change did nothing")
                    }
                })
                batchSystemd.append(SystemdBenchmark.systemdTime(lab) - before)
                try expectWeight(v)
            }
        }
        let a = Samples(values: applyWall), d = Samples(values: batchWall)
        let aCPU = Benchmark.median(applySystemd), dCPU = Benchmark.median(batchSystemd)
        let p = Samples(values: planWall)
        let overhead = a.median / d.median, versusSystemd = a.median / aCPU
        let executing = (a.median - p.median) / d.median
        let applies = "\(2 * runs) applies (\(runs) rounds of B then A)"
        return [
            BenchRow(
                name: "apply (\(transport.label)): `sosplan apply --yes`, \(services) slice changes, end to end", figure: a.ms(0), spread: a.spread(0),
                peer: "systemd's own CPU during apply \(Samples.ms(aCPU, 0))", ratio: Samples.ratio(versusSystemd),
                target: "≤ \(systemdTarget)×", met: versusSystemd <= systemdTarget,
                limits: "whole process: observe, plan, lock, journal, driver, post-checks; \(applies)"),
            BenchRow(
                name: "apply (\(transport.label)): same changes as the driver's raw batch (applySlices)", figure: a.ms(0),
                peer: "raw batch \(d.ms(0)) (systemd CPU \(Samples.ms(dCPU, 0)))", ratio: Samples.ratio(overhead),
                target: "≤ \(batchTarget)×", met: overhead <= batchTarget,
                limits: "apply's own work beyond the batch, observe and plan included"),
            BenchRow(
                name: "apply (\(transport.label)) minus `sosplan plan` of the same layout (lock, journal, priors, checks, record)",
                figure: Samples.ms(a.median - p.median, 0),
                peer: "raw batch \(d.ms(0)); plan alone \(p.ms(0)) (\(p.spread(0)))", ratio: Samples.ratio(executing),
                target: "≤ \(overheadTarget)×", met: executing <= overheadTarget,
                limits: "what apply adds to the observe and plan every run pays (median difference)"),
        ]
    }
}
