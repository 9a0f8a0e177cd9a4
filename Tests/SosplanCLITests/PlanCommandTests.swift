import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan plan` as users and CI run it: exit codes 0 / 2 / 1, text and
/// JSON output, saved plans, and snapshots from files or snapshot folders.
@Suite struct PlanCommandTests {
    static let snapshots = RepositoryPaths.fixtures.appendingPathComponent("Snapshots")
    static func example(_ name: String) -> String { RepositoryPaths.examples.appendingPathComponent(name).path }
    static func snapshot(_ name: String) -> String { snapshots.appendingPathComponent("\(name).json").path }

    @Test func changesExitTwoAndPrintTheGoldenPlan() throws {
        let r = try CommandRunner.sosplan(["plan", Self.example("web-database.yaml"), "--snapshot", Self.snapshot("memorysidecaches")])
        #expect(r.status == 2, "\(r.stderr)")
        let golden = try String(
            contentsOf: RepositoryPaths.tests.appendingPathComponent("Goldens/Plans/web-database@memorysidecaches.txt"), encoding: .utf8)
        // The golden holds stderr (diagnostics) then stdout, then the exit code.
        #expect(r.stderr + r.stdout + "(exit 2)\n" == golden)
    }

    @Test func savedPlanIsTheJSONAndAppliedStateHasNoChanges() throws {
        let scratch = try ScratchDirectory("plan-o")
        defer { scratch.remove() }
        let planFile = scratch.path("plan.json").path
        let layout = Self.example("pisces-kitten.yaml")
        let r = try CommandRunner.sosplan(["plan", layout, "--snapshot", Self.snapshot("memorysidecaches"), "-o", planFile, "--format", "json"])
        #expect(r.status == 2, "\(r.stderr)")
        let saved = try String(contentsOfFile: planFile, encoding: .utf8)
        var plan = try Plan.decode(json: saved)
        #expect(plan.changes && plan.schema == "sosplan.plan/v1")
        // The saved plan is the printed one plus the snapshot it was made
        // from (for naming what changed when it is applied late) and the
        // layout (apply plans it again and compares).
        let before = try HostSnapshot.decode(json: String(contentsOfFile: Self.snapshot("memorysidecaches"), encoding: .utf8))
        #expect(plan.priorSnapshot?.jsonText() == before.jsonText())
        #expect(plan.layoutSource == LayoutSource(file: URL(fileURLWithPath: layout).standardizedFileURL.path, text: try String(contentsOfFile: layout, encoding: .utf8)))
        plan.priorSnapshot = nil
        plan.layoutSource = nil
        #expect(plan.jsonText() == (try Plan.decode(json: r.stdout)).jsonText())
        // Simulate the plan, save the resulting snapshot, plan again: exit 0, no changes.
        #expect(plan.snapshotFingerprint == before.fingerprint)
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: before)
        let afterFile = scratch.path("after.json").path
        try after.jsonText().write(toFile: afterFile, atomically: true, encoding: .utf8)
        let again = try CommandRunner.sosplan(["plan", layout, "--snapshot", afterFile, "--format", "json"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try Plan.decode(json: again.stdout).changes == false)
    }

    @Test func doesNotFitExitsOneWithLocatedDiagnostics() throws {
        let r = try CommandRunner.sosplan(["plan", Self.example("hpc-mckernel.yaml"), "--snapshot", Self.snapshot("kvm-16c-1n")])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix(Self.example("hpc-mckernel.yaml") + ":"))
        #expect(r.stderr.contains(": error: "))
    }

    @Test func invalidLayoutExitsOne() throws {
        let scratch = try ScratchDirectory("plan-invalid")
        defer { scratch.remove() }
        let bad = scratch.path("bad.yaml").path
        try "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: x}\nspec: {host: {cpus: many}}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CommandRunner.sosplan(["plan", bad, "--snapshot", Self.snapshot("kvm-16c-1n")])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("\(bad):4:"))
    }

    @Test func unreadableOrWrongSnapshotExitsOne() throws {
        let missing = try CommandRunner.sosplan(["plan", Self.example("minimal.yaml"), "--snapshot", "/nonexistent.json"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: cannot read the snapshot"))
        let wrong = try CommandRunner.sosplan(["plan", Self.example("minimal.yaml"), "--snapshot", Self.example("minimal.yaml")])
        #expect(wrong.status == 1 && wrong.stderr.hasPrefix("error: "))
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func snapshotFolderAndSavedSnapshotPlanAlike() throws {
        let root = try TopologyFixtures.load("64amd64-4s2n4ca2co").root.path
        let fromRoot = try CommandRunner.sosplan(["plan", Self.example("minimal.yaml"), "--root", root, "--format", "json"])
        let fromFile = try CommandRunner.sosplan(["plan", Self.example("minimal.yaml"), "--snapshot", Self.snapshot("64amd64-4s2n4ca2co"), "--format", "json"])
        #expect(fromRoot.status == 2 && fromFile.status == 2, "\(fromRoot.stderr)\(fromFile.stderr)")
        #expect(fromRoot.stdout == fromFile.stdout)
    }

    @Test func showDrawsThePlacementOfALayout() throws {
        let r = try CommandRunner.sosplan(["show", Self.example("hpc-mckernel.yaml"), "--snapshot", Self.snapshot("memorysidecaches"), "--no-color"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("CPU ownership: placement of cn042"))
        #expect(r.stdout.contains("enclave lwk0        14 CPUs"))
        let bad = try CommandRunner.sosplan(["show", Self.example("hpc-mckernel.yaml"), "--snapshot", Self.snapshot("kvm-16c-1n")])
        #expect(bad.status == 1 && bad.stderr.contains(": error: "))
    }
}
