import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan apply` end to end in a sandbox: a real systemd, a simulated
/// sysfs from a real host, the co-kernel simulators.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct ApplyCommandTests {
    @Test func quickstartAppliesThenASecondApplyChangesNothing() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let planned = try ApplyFixture.plan(sandbox, ApplyFixture.quickstart)
        #expect(planned.status == 2)
        let plan = try #require(planned.plan)
        let expected = PlanSummary(steps: plan.steps)

        let first = try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains(
            "Apply complete: \(expected.add) added, \(expected.change) changed, \(expected.destroy) destroyed"), "\(first.stdout)")
        // One progress line per step, with its duration, on stderr.
        for (i, step) in plan.steps.enumerated() {
            let counter = "[\(String(repeating: " ", count: String(plan.steps.count).count - String(i + 1).count))\(i + 1)/\(plan.steps.count)]"
            #expect(first.stderr.contains("\(counter) \(step.action.rawValue) \(step.target)  done in "), "\(first.stderr)")
        }
        #expect(try ApplyFixture.plan(sandbox, ApplyFixture.quickstart).status == 0)

        // The solver really runs in the enclave: its unit is active, launched by mcexec.
        let solver = try sandbox.lab(["systemctl", "show", "-p", "ActiveState", "-p", "ExecStart", "sosplan-solver.service"])
        #expect(solver.stdout.contains("ActiveState=active"), "\(solver.stdout)")
        #expect(solver.stdout.contains("mcexec"), "\(solver.stdout)")

        let unitFiles = try Self.modificationTimes(sandbox.unitDirectory)
        let toolRuns = try ApplyFixture.mutatingToolRuns(sandbox)
        let second = try ApplyFixture.applyJSON(sandbox, [ApplyFixture.quickstart, "--yes"])
        #expect(second.status == 0)
        #expect(second.outcome == "no-changes", "\(second.log)")
        #expect(second.mutations == ["dbus": 0, "sysfsWrites": 0, "enclaveOperations": 0])
        #expect(try ApplyFixture.mutatingToolRuns(sandbox) == toolRuns)
        #expect(try Self.modificationTimes(sandbox.unitDirectory) == unitFiles)
        let text = try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"])
        #expect(text.stdout.contains("No changes."), "\(text.stdout)")
    }

    @Test func aSavedPlanIsRefusedOnceTheHostChangedNamingTheChange() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let planFile = sandbox.directory.appendingPathComponent("plan.json").path
        #expect(try sandbox.sosplan(["plan", ApplyFixture.quickstart, "-o", planFile]).status == 2)

        // A CPU goes offline behind sosplan's back.
        try sandbox.writeHostFile("sys/devices/system/cpu/cpu5/online", "0\n")
        let stale = try sandbox.sosplan(["apply", planFile])
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("stale") && stale.stderr.contains("CPU 5"), "\(stale.stderr)")
        try sandbox.writeHostFile("sys/devices/system/cpu/cpu5/online", "1\n")

        // A slice's AllowedCPUs moves.
        _ = try sandbox.lab(["systemctl", "set-property", "--runtime", "system.slice", "AllowedCPUs=0-3"])
        let moved = try sandbox.sosplan(["apply", planFile])
        #expect(moved.status == 1)
        #expect(moved.stderr.contains("system.slice") && moved.stderr.contains("AllowedCPUs"), "\(moved.stderr)")
        _ = try sandbox.lab(["systemctl", "set-property", "--runtime", "system.slice", "AllowedCPUs="])

        // Back as it was: the plan applies exactly (a saved plan asks no question).
        let applied = try sandbox.sosplan(["apply", planFile])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(try ApplyFixture.plan(sandbox, ApplyFixture.quickstart).status == 0)
    }

    @Test func aLayoutForAnotherHostIsRefusedAndNothingChanges() throws {
        let sandbox = try Sandbox.up(hostname: "login01")
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let r = try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("this layout is for host 'cn*', and this host is 'login01'"), "\(r.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory.appendingPathComponent("journal.jsonl").path))
    }

    @Test func withoutATerminalAndWithoutYesItRefuses() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let r = try sandbox.sosplan(["apply", ApplyFixture.quickstart])
        #expect(r.status == 1)
        #expect(r.stderr.contains("without confirmation") && r.stderr.contains("--yes"), "\(r.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
    }

    @Test func theCommandLineOptionsWinOverTheEnvironment() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        // SOSPLAN_ROOT names the sandbox; --root a fixture copy with 2 CPUs.
        let scratch = try ScratchDirectory("apply-env")
        defer { scratch.remove() }
        let other = try scratch.copyFixture("2arm-2c")
        let r = try sandbox.sosplan(["observe", "--root", other.path, "--no-systemd"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("2 present"), "\(r.stdout)")
        let inside = try sandbox.sosplan(["observe"])
        #expect(inside.stdout.contains("32 present") && inside.stdout.contains("cn001"), "\(inside.stdout)")
    }

    /// A plan of slice changes only takes the host after the apply from
    /// systemd's replies to the batch instead of observing it all again:
    /// what it records must be what an observation finds.
    @Test func aSliceOnlyChangeRecordsTheHostAsAnObservationFindsIt() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        #expect(try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"]).status == 0)
        let changed = sandbox.directory.appendingPathComponent("weights.yaml")
        let text = try String(contentsOfFile: ApplyFixture.quickstart, encoding: .utf8)
            .replacingOccurrences(of: "cpuWeight: 300", with: "cpuWeight: 500")
            .replacingOccurrences(of: "memory: {max: 2Gi}", with: "memory: {max: 3Gi}")
        try text.write(to: changed, atomically: true, encoding: .utf8)
        let plan = try #require(try ApplyFixture.plan(sandbox, changed.path).plan)
        #expect(plan.steps.map(\.action) == [.sliceUpdate, .sliceUpdate], "\(plan.steps.map(\.target))")

        let run = try sandbox.sosplan(["apply", changed.path, "--yes"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let applied = try JSONParser.parse(String(contentsOf: sandbox.stateDirectory.appendingPathComponent("applied.json"), encoding: .utf8))
        let recorded = try JSONValueDecoder().decode(HostSnapshot.self, from: try #require(applied["snapshot"]))
        let units = try #require(applied["unitNames"]?.arrayValue).compactMap(\.stringValue)
        let now = try sandbox.snapshot(units: units)
        #expect(SnapshotDifference.between(recorded, now).map(\.description) == [])
        #expect(recorded.fingerprint == now.fingerprint)
        let weight = recorded.systemd?.units.first { $0.name == "sosplan-io-forward.slice" }?.cpuWeight
        #expect(weight == 500)
    }

    static func modificationTimes(_ directory: URL) throws -> [String: Date] {
        var out: [String: Date] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory.path) else { return out }
        for case let name as String in walker {
            let attributes = try fm.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            out[name] = attributes[.modificationDate] as? Date
        }
        return out
    }
}
