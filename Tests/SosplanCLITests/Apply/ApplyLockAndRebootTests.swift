import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// One apply at a time, and what a reboot keeps.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct ApplyLockAndRebootTests {
    @Test func twoAppliesStartedTogetherOneFailsNamingTheHolderAndTheEndStateIsOneApply() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        // The first apply holds the lock for a while: McKernel's boot stalls 3 s.
        #expect(try sandbox.sim("fault", ["stall", "ihkosctl", "boot", "3", "--count", "1"]).status == 0)
        let first = try sandbox.start(["apply", ApplyFixture.quickstart, "--yes"])
        try ApplyFixture.wait("the first apply to take the lock") { ApplyFixture.journalBegan(sandbox, "s1") }
        let waiting = try sandbox.start(["apply", ApplyFixture.quickstart, "--yes", "--lock-timeout", "60"])

        let second = try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("pid \(first.processIdentifier)"), "\(second.stderr)")
        #expect(second.stderr.contains("--lock-timeout"), "\(second.stderr)")

        first.waitUntilExit()
        waiting.waitUntilExit()
        #expect(first.terminationStatus == 0)
        // The one that waited found nothing left to do.
        #expect(waiting.terminationStatus == 0)
        let last = try String(contentsOf: sandbox.stateDirectory.appendingPathComponent("applied.json"), encoding: .utf8)
        #expect(try JSONParser.parse(last)["plan"]?["steps"]?.arrayValue?.isEmpty == true, "the waiting apply changed something")
        #expect(try ApplyFixture.plan(sandbox, ApplyFixture.quickstart).status == 0)
    }

    @Test func afterARebootSlicesAndUnitsAreBackAndThePlanListsWhatTheKernelForgot() throws {
        var sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let planned = try #require(try ApplyFixture.plan(sandbox, ApplyFixture.full).plan)
        let ioSlice = try #require(planned.steps.first { $0.target == .unit("sosplan-io-forward.slice") }?.after["AllowedCPUs"]?.stringValue)
        let applied = try sandbox.sosplan(["apply", ApplyFixture.full, "--yes"])
        try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")

        sandbox = try sandbox.reboot()
        let after = try ApplyFixture.plan(sandbox, ApplyFixture.full)
        #expect(after.status == 2)
        let steps = try #require(after.plan).steps
        let kernel: Set<StepAction> = [.hugepagesSet, .enclaveCreate]
        #expect(!steps.isEmpty)
        for step in steps {
            // Launcher units follow their enclave: restarted once it is back.
            let launcher = step.target == .unit("sosplan-solver.service")
            #expect(kernel.contains(step.action) || launcher, "after a reboot the plan should only redo what the kernel forgot: \(step.action.rawValue) \(step.target)")
        }
        #expect(Set(steps.map(\.action)).isSuperset(of: kernel), "\(steps.map { "\($0.action.rawValue) \($0.target)" })")
        // The systemd side survived: slices and the placed units are as applied.
        let slurmd = try sandbox.lab(["systemctl", "show", "-p", "Slice", "-p", "ActiveState", "slurmd.service"])
        #expect(slurmd.stdout.contains("Slice=sosplan-slurmd.slice") && slurmd.stdout.contains("ActiveState=active"), "\(slurmd.stdout)")
        let slice = try sandbox.lab(["systemctl", "show", "-p", "AllowedCPUs", "sosplan-io-forward.slice"])
        // systemctl lists CPUs with spaces: "2 18", "3-7 12-15".
        #expect(slice.stdout.contains("AllowedCPUs=\(ioSlice.replacingOccurrences(of: ",", with: " "))"), "\(slice.stdout)")

        let again = try sandbox.sosplan(["apply", ApplyFixture.full, "--yes"])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(try ApplyFixture.plan(sandbox, ApplyFixture.full).status == 0)
    }
}
