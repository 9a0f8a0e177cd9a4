import Foundation
import SosplanCore

extension PlanBenchmark {
    static let target4096 = 50.0
    static let growthTarget = 2.3

    /// The synthetic host sizes, smallest first: (name, nodes, cores per node, services, enclaves).
    static let shapes = [
        ("plan-256", 8, 16, 60, 1), ("plan-1024", 16, 32, 250, 4), ("plan-2048", 32, 32, 500, 8), ("plan-4096", 64, 32, 1000, 16),
    ]

    /// Planning time per host size; the peer of each size is the size
    /// before it in the same run, as growth per doubling of CPUs and services.
    /// The sizes take turns, one plan each per round, so a noisy stretch of
    /// the machine slows them all instead of skewing one ratio.
    static func rows(runs: Int, smoke: Bool) -> [BenchRow] {
        let chosen = smoke ? Array(shapes.prefix(2)) : shapes
        let works = chosen.map { shape($0.0, nodes: $0.1, coresPerNode: $0.2, services: $0.3, enclaves: $0.4).prepare() }
        for work in works { work() }  // warm-up: page in code and data
        var times = [[Double]](repeating: [], count: works.count)
        for _ in 0..<runs {
            for (i, work) in works.enumerated() {
                let start = Benchmark.cpuTime()
                work()
                times[i].append(Benchmark.cpuTime() - start)
            }
        }
        var rows: [BenchRow] = []
        var previous: (cpus: Int, median: Double)?
        for ((_, nodes, cores, services, enclaves), values) in zip(chosen, times) {
            let s = Samples(values: values)
            let cpus = nodes * cores * 2
            var row = BenchRow(
                name: "plan: \(cpus) CPUs, \(nodes) nodes, \(services) services, \(enclaves) enclaves (in-process, CPU time)",
                figure: s.ms(), spread: s.spread())
            if let previous {
                let doublings = log2(Double(cpus) / Double(previous.cpus))
                let perDoubling = pow(s.median / previous.median, 1 / doublings)
                row.peer = "the \(previous.cpus)-CPU host \(Samples.ms(previous.median))"
                row.ratio = Samples.ratio(s.median / previous.median) + String(format: " (%.2f× per doubling)", perDoubling)
                row.target = "≤ \(growthTarget)× per doubling"
                row.met = perDoubling <= growthTarget
            }
            if cpus == 4096 {
                row.target = "≤ \(Int(target4096)) ms; " + row.target
                row.met = (row.met ?? true) && s.median <= target4096
            }
            row.limits = "placement + diff + ordering of ~2 steps per service"
            rows.append(row)
            previous = (cpus, s.median)
        }
        return rows
    }

    /// The re-plan alone, for `sosplan-bench replan-4096` (profiling).
    static let replan = Benchmark(
        name: "replan-4096", about: "re-plan the 4,096-CPU host (first plan applied, simulated) after one service changed", defaultRuns: 5
    ) {
        let (snapshot, applied, changed) = replanInputs()
        _ = snapshot
        return { consume(Planner(layout: changed, snapshot: applied, capabilities: EnclaveCapabilities.known).plan()) }
    }

    /// The 4,096-CPU host, that host with its first plan applied (simulated), and the layout with one service changed.
    static func replanInputs() -> (HostSnapshot, HostSnapshot, HostLayout) {
        let snapshot = host(nodes: 64, coresPerNode: 32)
        let first = layout(services: 1000, enclaves: 16, nodes: 64)
        let known = EnclaveCapabilities.known
        let plan = Planner(layout: first, snapshot: snapshot, capabilities: known).plan().plan!
        var changed = first
        changed.services[3].cpus = .count(CPURequest(count: 8))
        return (snapshot, PlanSimulator(capabilities: known).apply(plan, to: snapshot), changed)
    }

    /// Re-planning the 4,096-CPU host once its first plan is applied
    /// (simulated) and one service asks for more CPUs, against planning
    /// that host from scratch in the same run.
    static func replanRows(runs: Int) -> [BenchRow] {
        let (nodes, cores, services, enclaves) = (64, 32, 1000, 16)
        let snapshot = host(nodes: nodes, coresPerNode: cores)
        let first = layout(services: services, enclaves: enclaves, nodes: nodes)
        let known = EnclaveCapabilities.known
        guard let plan = Planner(layout: first, snapshot: snapshot, capabilities: known).plan().plan else {
            return [BenchRow(name: "re-plan", figure: "failed: the first plan does not fit")]
        }
        let applied = PlanSimulator(capabilities: known).apply(plan, to: snapshot)
        var changed = first
        changed.services[3].cpus = .count(CPURequest(count: 8))
        let check = Planner(layout: changed, snapshot: applied, capabilities: known).plan()
        guard let again = check.plan else {
            return [BenchRow(name: "re-plan", figure: "failed:\n" + DiagnosticFormatter.text(check.diagnostics))]
        }
        let replan = Samples.time(runs: runs) { consume(Planner(layout: changed, snapshot: applied, capabilities: known).plan()) }
        let scratch = Samples.time(runs: runs) { consume(Planner(layout: first, snapshot: snapshot, capabilities: known).plan()) }
        return [BenchRow(
            name: "re-plan: 4,096 CPUs after one of 1,000 services changed (in-process, CPU time)", figure: replan.ms(), spread: replan.spread(),
            peer: "first plan of that host \(scratch.ms())", ratio: Samples.ratio(replan.median / scratch.median),
            limits: "\(again.steps.count) steps; the whole layout is placed again (minimal churn), then diffed")]
    }
}
