import Foundation
import SosplanCore

/// Planning on the real 256-CPU hosts of the fixtures (64 NUMA nodes of 4
/// CPUs on ia64; 8 nodes of 32 SMT-4 CPUs on POWER): 60 services (some tied
/// to a node, some shared) and a Pisces enclave, against the checked-in
/// snapshots of those machines.
enum PlanFixtureBenchmark {
    static let fixtures = ["256ia64-64n2s2c", "256ppc-8n8s4t"]

    /// The checked-in snapshot of a fixture (Tests/Fixtures/Snapshots/NAME.json).
    static func snapshot(_ name: String) -> HostSnapshot? {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let url = repository.appendingPathComponent("Tests/Fixtures/Snapshots/\(name).json")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        return try? HostSnapshot.decode(json: text)
    }

    static var benchmarks: [Benchmark] {
        fixtures.map { name in
            Benchmark(name: "plan-\(name)", about: "plan 60 services and an enclave on the \(name) fixture", defaultRuns: 10) {
                guard let snapshot = snapshot(name) else { fatalError("cannot read the snapshot of \(name)") }
                let nodes = snapshot.topology.nodes.count
                let layout = PlanBenchmark.layout(services: 60, enclaves: 1, nodes: nodes, policy: LayoutPolicy(topology: .bestEffort, smt: .threads))
                let check = Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
                guard check.plan != nil else {
                    FileHandle.standardError.write(Data(("benchmark layout must fit:\n" + DiagnosticFormatter.text(check.diagnostics)).utf8))
                    exit(1)
                }
                FileHandle.standardError.write(Data("plan-\(name): \(check.plan!.steps.count) steps\n".utf8))
                return { consume(Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()) }
            }
        }
    }
}
