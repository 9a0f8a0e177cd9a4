import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Every example layout planned on real hosts of different shapes (1, 2, 4,
/// 8 and 64 NUMA nodes; SMT and not; offline CPUs; x86, ARM, ia64): the
/// text plan (with its diagnostics) and the JSON plan are golden files under
/// Tests/Goldens/Plans (SOSPLAN_RECORD=1 re-records). A layout that does not
/// fit a host is a golden too: its diagnostics say where and by how much.
@Suite struct PlanGoldenTests {
    static let fixtures = [
        "kvm-16c-1n", "16em64t-4s2c2t-offlines", "32intel64-2p8co2t+8ve", "memorysidecaches",
        "64amd64-4s2n4ca2co", "256ia64-64n2s2c", "128arm-2pa2n8cluster4co",
    ]

    static let cases: [(String, String)] = LayoutCorpus.examples.flatMap { e in fixtures.map { (e, $0) } }

    static func snapshot(_ fixture: String) throws -> HostSnapshot {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/\(fixture).json")
        return try HostSnapshot.decode(json: String(contentsOf: url, encoding: .utf8))
    }

    /// What `sosplan plan` prints: diagnostics (stderr), then the plan (stdout), and the exit code.
    static func render(_ example: String, on fixture: String) throws -> (text: String, json: String?, exit: Int) {
        let bytes = try LayoutCorpus.bytes(RepositoryPaths.examples.appendingPathComponent(example))
        let layout = try #require(LayoutDecoder.decode(bytes, file: "Examples/" + example).layout)
        let result = Planner(layout: layout, snapshot: try snapshot(fixture), capabilities: EnclaveCapabilities.known).plan()
        var text = DiagnosticFormatter.text(result.diagnostics)
        guard let plan = result.plan else { return (text + "(exit 1)\n", nil, 1) }
        text += PlanFormatter.text(plan)
        let exit = plan.changes ? 2 : 0
        return (text + "(exit \(exit))\n", plan.jsonText(), exit)
    }

    /// Every example has its goldens on every shape, and no golden is left
    /// from an example or shape that is gone.
    @Test func coversEveryExampleOnSevenShapesAndNothingElse() throws {
        #expect(!LayoutCorpus.examples.isEmpty)
        var expected = Set<String>()
        for (example, fixture) in Self.cases {
            let base = "\(example.dropLast(5))@\(fixture)"
            expected.insert(base + ".txt")
            if try Self.render(example, on: fixture).json != nil { expected.insert(base + ".json") }
        }
        let directory = RepositoryPaths.tests.appendingPathComponent("Goldens/Plans")
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        #expect(present.subtracting(expected).sorted() == [], "goldens no case checks")
        #expect(expected.subtracting(present).sorted() == [], "cases without a golden")
        let fixtures = Set(Self.fixtures.compactMap { try? Self.snapshot($0) }.map { $0.topology.nodes.count })
        #expect(fixtures.isSuperset(of: [1, 2, 4, 8, 64]), "node counts covered: \(fixtures.sorted())")
    }

    @Test(arguments: cases)
    func plan(example: String, fixture: String) throws {
        let (text, json, _) = try Self.render(example, on: fixture)
        let base = RepositoryPaths.tests.appendingPathComponent("Goldens/Plans/\(example.dropLast(5))@\(fixture)")
        let t = Golden.check(text, against: base.appendingPathExtension("txt"))
        #expect(t.isMatch, "\(t.message)")
        if let json {
            let j = Golden.check(json, against: base.appendingPathExtension("json"))
            #expect(j.isMatch, "\(j.message)")
        }
    }

    @Test func somePlansSucceedAndSomeDoNotFit() throws {
        var exits: [Int: Int] = [:]
        for (e, f) in Self.cases { exits[try Self.render(e, on: f).exit, default: 0] += 1 }
        #expect(exits[2, default: 0] >= Self.cases.count / 3, "exit codes: \(exits)")
        #expect(exits[1, default: 0] >= 1, "exit codes: \(exits)")
    }
}
