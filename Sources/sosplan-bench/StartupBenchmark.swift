import Foundation
import SosplanCore

/// Whole processes, the way scripts and udev-triggered units run sosplan:
/// `sosplan --version` beside a static hello-world built the same way
/// (`sosplan-hello`: what any Swift program costs to start), and
/// `sosplan plan --snapshot` on the synthetic 1,024 to 4,096-CPU hosts
/// (start-up, reading the snapshot and the layout, planning, writing the
/// plan JSON).
enum StartupBenchmark {
    static let versionTarget = 1.5
    static let planTargetMs = 100.0
    static let perDoublingTarget = 2.3

    /// `sosplan-bench startup [--runs N]`: these rows alone, with the
    /// binaries beside this one.
    static func run(_ arguments: [String]) throws {
        var runs = 11
        var rest = arguments[...]
        while let a = rest.popFirst() {
            guard a == "--runs", let n = rest.popFirst().flatMap(Int.init), n > 0 else {
                throw BenchmarkError("unknown argument \(a) (sosplan-bench startup [--runs N])")
            }
            runs = n
        }
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let sosplan = here.appendingPathComponent("sosplan")
        guard FileManager.default.isExecutableFile(atPath: sosplan.path) else {
            throw BenchmarkError("no sosplan binary beside sosplan-bench (\(sosplan.path)); build both in release mode")
        }
        for row in try rows(runs: runs, sosplan: sosplan, hello: here.appendingPathComponent("sosplan-hello"), smoke: false) {
            print(row.text)
        }
    }

    static func rows(runs: Int, sosplan: URL, hello: URL, smoke: Bool) throws -> [BenchRow] {
        var rows: [BenchRow] = []
        if FileManager.default.isExecutableFile(atPath: hello.path) {
            // Short processes: many rounds, alternating, so both see the same load.
            let (v, h) = try ObserveBenchmark.alternate(smoke ? 1 : runs * 8, (sosplan.path, ["--version"]), (hello.path, []))
            let ratio = v.cpu / h.cpu
            rows.append(BenchRow(
                name: "start-up: `sosplan --version` (CPU time of the whole process)", figure: Samples.ms(v.cpu, 2),
                peer: "static hello-world `sosplan-hello` \(Samples.ms(h.cpu, 2))", ratio: Samples.ratio(ratio),
                target: "≤ \(versionTarget)×", met: ratio <= versionTarget,
                limits: String(format: "wall %.2f vs %.2f ms; binary %.1f MB vs %.1f MB: dynamic relocation, protocol conformance scans, argument parsing",
                               v.wall, h.wall, megabytes(sosplan), megabytes(hello))))
        } else {
            rows.append(.skipped("start-up: `sosplan --version`", "no \(hello.path) (swift build -c release --static-swift-stdlib --product sosplan-hello)"))
        }
        // The sizes take turns, one process each per round, so a noisy
        // stretch of the machine slows them all instead of skewing one ratio.
        let shapes = smoke ? [(16, 250, 4)] : [(16, 250, 4), (32, 500, 8), (64, 1000, 16)]
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-startup-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        var commands: [[String]] = []
        for (nodes, services, enclaves) in shapes {
            let folder = work.appendingPathComponent("\(nodes * 64)")
            commands.append(try PlanMemoryBenchmark.planArguments(nodes: nodes, services: services, enclaves: enclaves, in: folder))
        }
        // `plan` exits 2 when there are changes to make.
        for arguments in commands { _ = try ObserveBenchmark.launchMeasured(sosplan.path, arguments, okStatuses: [2]) }
        var wall = [[Double]](repeating: [], count: shapes.count), cpu = wall
        for _ in 0..<(smoke ? 1 : runs) {
            for (i, arguments) in commands.enumerated() {
                let r = try ObserveBenchmark.launchMeasured(sosplan.path, arguments, okStatuses: [2])
                wall[i].append(r.wall)
                cpu[i].append(r.cpu)
            }
        }
        var previous: (cpus: Int, wall: Double)?
        for (i, (nodes, services, enclaves)) in shapes.enumerated() {
            let cpus = nodes * 64
            let w = Samples(values: wall[i]), c = Samples(values: cpu[i])
            var row = BenchRow(
                name: "start-up: `sosplan plan --snapshot` as a process, \(cpus) CPUs, \(services) services, \(enclaves) enclaves",
                figure: w.ms(), spread: w.spread(),
                limits: "CPU \(c.ms()); snapshot JSON in (decode), layout YAML in, plan JSON out")
            var targets: [String] = []
            var met = true
            if let previous {
                let doublings = log2(Double(cpus) / Double(previous.cpus))
                let perDoubling = pow(w.median / previous.wall, 1 / doublings)
                row.peer = "the \(previous.cpus)-CPU host \(Samples.ms(previous.wall))"
                row.ratio = Samples.ratio(w.median / previous.wall) + " (\(Samples.ratio(perDoubling)) per doubling)"
                targets.append("≤ \(perDoublingTarget)× per doubling")
                met = met && perDoubling <= perDoublingTarget
            }
            if cpus == 4096 {
                targets.insert("≤ \(Int(planTargetMs)) ms", at: 0)
                met = met && w.median <= planTargetMs
            }
            if !targets.isEmpty {
                row.target = targets.joined(separator: "; ")
                row.met = met
            }
            rows.append(row)
            previous = (cpus, w.median)
        }
        return rows
    }

    static func megabytes(_ file: URL) -> Double {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.doubleValue ?? 0
        return size / 1e6
    }
}
