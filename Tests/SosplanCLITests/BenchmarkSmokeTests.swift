import Foundation
import SosplanTestSupport
import Testing

/// `sosplan-bench all --smoke` (the CI variant of the README's benchmark
/// command): it runs every section once, quickly, and writes a table with a
/// row for each; that it runs, not how fast (a debug build).
@Suite struct BenchmarkSmokeTests {
    // The observe rows run lstopo on hwloc's machines (scripts/fixtures).
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"),
          .enabled(if: Lstopo.isAvailable, "\(Lstopo.unavailableReason ?? "")"))
    func theSmokeRunWritesEveryCase() throws {
        let scratch = try ScratchDirectory("bench-smoke")
        defer { scratch.remove() }
        let table = scratch.url.appendingPathComponent("BENCHMARKS.md")
        let r = try CommandRunner.run(RepositoryPaths.product("sosplan-bench"), ["all", "--smoke", "--write", table.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: table, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| case ") }
        for section in ["validate:", "plan: 256 CPUs", "plan: 1024 CPUs", "placement quality:", "observe", "memory: peak resident size of `sosplan plan`",
                        "enclave: ihk create", "enclave: pisces grow", "enclave: mos destroy", "systemd, apply"] {
            #expect(rows.contains { $0.hasPrefix("| \(section)") }, "no row for \(section) in:\n\(text)")
        }
        #expect(!rows.contains { $0.contains("| failed:") }, "\(text)")
        #expect(!rows.contains { $0.hasPrefix("| observe") && $0.contains("skipped") }, "\(text)")
        #expect(text.contains("- Machine: "))
        #expect(text.contains("Written by `sosplan-bench all --smoke --write"))
        // The kubelet comparison holds on the smoke hosts' first placement.
        #expect(rows.filter { $0.hasPrefix("| placement quality:") }.count == 2)
    }
}
