import Foundation
import SosplanCore

/// `sosplan plan` as a whole process on the synthetic 4,096-CPU host (its
/// snapshot saved as JSON, the benchmark layout written as YAML): wall time
/// and peak resident size (`ru_maxrss` from `wait4`). Target: ≤ 64 MiB.
enum PlanMemoryBenchmark {
    static let targetMiB = 64.0

    /// The YAML text of `PlanBenchmark.layout(services:enclaves:nodes:)`.
    static func yaml(services: Int, enclaves: Int, nodes: Int) -> String {
        var text = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata:\n  name: bench\nspec:\n"
        text += "  host: {cpus: 4}\n  hugepages:\n    - {size: 2Mi, count: 1024}\n"
        if enclaves > 0 {
            text += "  enclaves:\n"
            for i in 0..<enclaves {
                text += "    - {name: lwk\(i), driver: pisces, cpus: {count: 32}, memory: {size: 2Gi}, priority: 100}\n"
            }
        }
        text += "  services:\n"
        for i in 0..<services {
            let cpus = i % 5 == 4 ? "shared" : i % 7 == 0 ? "{count: 2, numa: \(nodes > 1 ? 1 + i % (nodes - 1) : 0)}" : "{count: \(2 * (1 + i % 3))}"
            text += "    - {name: svc\(i), units: [svc\(i).service], cpus: \(cpus), memory: {max: 4Gi}, cpuWeight: \(100 + i % 50), priority: \(i % 10)}\n"
        }
        return text
    }

    /// Writes the synthetic host's snapshot and the benchmark layout into
    /// `work` (made here; the caller removes it) and returns the arguments
    /// of `sosplan plan --snapshot` on them.
    static func planArguments(nodes: Int, services: Int, enclaves: Int, in work: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let snapshot = work.appendingPathComponent("host.json"), layout = work.appendingPathComponent("layout.yaml")
        try PlanBenchmark.host(nodes: nodes, coresPerNode: 32).jsonText().write(to: snapshot, atomically: true, encoding: .utf8)
        try yaml(services: services, enclaves: enclaves, nodes: nodes).write(to: layout, atomically: true, encoding: .utf8)
        return ["plan", "--snapshot", snapshot.path, "--format", "json", layout.path]
    }

    /// `smoke`: the 1,024-CPU host instead (a debug build in CI).
    static func rows(runs: Int, sosplan: URL, smoke: Bool = false) throws -> [BenchRow] {
        let (nodes, services, enclaves) = smoke ? (16, 250, 4) : (64, 1000, 16)
        let cpus = nodes * 64
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-plan-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let arguments = try planArguments(nodes: nodes, services: services, enclaves: enclaves, in: work)
        // `plan` exits 2 when there are changes to make.
        _ = try ObserveBenchmark.launchMeasured(sosplan.path, arguments, okStatuses: [2])
        var wall: [Double] = [], rss: [Double] = []
        for _ in 0..<runs {
            wall.append(try ObserveBenchmark.launchMeasured(sosplan.path, arguments, okStatuses: [2]).wall)
            rss.append(Double(try ObserveBenchmark.peakRSS(sosplan.path, arguments, okStatuses: [2])) / 1024)
        }
        let w = Samples(values: wall), peak = rss.max() ?? 0
        let inProcess = PlanBenchmark.shape("plan-\(cpus)", nodes: nodes, coresPerNode: 32, services: services, enclaves: enclaves).samples(runs: runs)
        return [
            BenchRow(
                name: "memory: peak resident size of `sosplan plan` on the \(cpus)-CPU host", figure: String(format: "%.1f MiB", peak),
                target: cpus == 4096 ? "≤ \(Int(targetMiB)) MiB" : "", met: cpus == 4096 ? peak <= targetMiB : nil,
                limits: "largest ru_maxrss of \(runs) runs (GNU time); includes the Swift runtime and shared libraries"),
            BenchRow(
                name: "plan: `sosplan plan --snapshot` as a process, \(cpus) CPUs, \(services) services (YAML + JSON in, JSON out)",
                figure: w.ms(), spread: w.spread(), peer: "planning alone in-process (CPU) \(inProcess.ms())",
                ratio: Samples.ratio(w.median / inProcess.median),
                limits: "start-up, reading the snapshot JSON and the layout YAML, writing the plan JSON"),
        ]
    }
}
