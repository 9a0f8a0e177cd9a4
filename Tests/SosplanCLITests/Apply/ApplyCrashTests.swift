import Foundation
import SosplanApply
import SosplanCore
import SosplanTestSupport
import Testing

/// The crash matrix: `apply` SIGKILLed after every batch of steps and inside
/// steps (a simulator stall or a slow ExecStop, then the kill). Each time,
/// the next `apply` converges, and `apply --rollback` ends value-equal to
/// the host before the first apply.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct ApplyCrashTests {
    @Test func killedAfterEveryBatchTheNextApplyConvergesAndRollbackRestores() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let plan = try #require(try ApplyFixture.plan(sandbox, ApplyFixture.full).plan)
        let kinds = Set(plan.steps.map(\.action))
        #expect(plan.steps.count >= 12)
        for kind: StepAction in [.hostConfine, .sliceUpdate, .unitCreate, .unitPlace, .hugepagesSet, .enclaveCreate] {
            #expect(kinds.contains(kind), "the crash plan lacks \(kind.rawValue)")
        }
        // A kill can fall after each batch (slices run as one).
        var ends: [Int] = []
        var n = 0
        for batch in StepBatches.of(plan.steps) {
            n += batch.count
            ends.append(n)
        }
        for k in ends {
            try crash(sandbox, after: k)
            #expect(try ApplyFixture.plan(sandbox, ApplyFixture.full).stderr.contains("an apply did not finish"), "k=\(k)")
            let rollback = try sandbox.sosplan(["apply", "--rollback"])
            #expect(rollback.status == 0, "k=\(k): \(rollback.stdout)\(rollback.stderr)")
            #expect(try ApplyFixture.differences(sandbox, from: before) == [], "rollback after a kill after step \(k)")

            try crash(sandbox, after: k)
            let finish = try sandbox.sosplan(["apply", "--yes"])
            #expect(finish.status == 0, "k=\(k): \(finish.stdout)\(finish.stderr)")
            #expect(finish.stderr.contains("did not finish"), "k=\(k): \(finish.stderr)")
            #expect(try ApplyFixture.plan(sandbox, ApplyFixture.full).status == 0, "k=\(k): the next apply did not converge")
            try ApplyFixture.tearDown(sandbox, expecting: before)
        }
    }

    @Test(arguments: [
        InsideStep(name: "McKernel boot", step: .enclaveCreate, target: "enclave:lwk0", stall: ["ihkosctl", "boot"]),
        InsideStep(name: "Pisces load", step: .enclaveCreate, target: "enclave:kitten0", stall: ["pisces_load", "load"]),
        // The enclave is LOADED then; the 2015+ pisces_shutdown frees it (research §7.6).
        InsideStep(name: "Pisces launch", step: .enclaveCreate, target: "enclave:kitten0", stall: ["pisces_launch", "launch"]),
        InsideStep(name: "slurmd restart", step: .unitPlace, target: "slurmd.service", stall: nil),
    ])
    func killedInsideAStepTheNextApplyConvergesAndRollbackRestores(_ inside: InsideStep) throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        if inside.stall == nil {
            // slurmd takes 4 s to stop: the restart that moves it is under way when the kill comes.
            let dropIn = sandbox.unitDirectory.appendingPathComponent("slurmd.service.d")
            try FileManager.default.createDirectory(at: dropIn, withIntermediateDirectories: true)
            try "[Service]\nExecStop=/bin/sleep 4\n".write(to: dropIn.appendingPathComponent("50-slow-stop.conf"), atomically: true, encoding: .utf8)
            _ = try sandbox.lab(["systemctl", "daemon-reload"])
        }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let plan = try #require(try ApplyFixture.plan(sandbox, ApplyFixture.full).plan)
        let step = try #require(plan.steps.first { $0.action == inside.step && $0.target.description == inside.target })

        try kill(sandbox, inside: step, inside.stall)
        let rollback = try sandbox.sosplan(["apply", "--rollback"])
        #expect(rollback.status == 0, "\(inside.name): \(rollback.stdout)\(rollback.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [], "rollback after a kill inside \(inside.name)")

        try kill(sandbox, inside: step, inside.stall)
        let finish = try sandbox.sosplan(["apply", ApplyFixture.full, "--yes"])
        #expect(finish.status == 0, "\(inside.name): \(finish.stdout)\(finish.stderr)")
        #expect(try ApplyFixture.plan(sandbox, ApplyFixture.full).status == 0, "\(inside.name): the next apply did not converge")
    }

    struct InsideStep: CustomTestStringConvertible, Sendable {
        var name: String
        var step: StepAction
        var target: String
        /// A simulator call to stall (tool, action words), or nil for the slow-stop unit.
        var stall: [String]?
        var testDescription: String { name }
    }

    /// `apply` killed with SIGKILL right after step `k` is journalled done.
    func crash(_ sandbox: Sandbox, after k: Int) throws {
        let r = try sandbox.sosplan(["apply", ApplyFixture.full, "--yes"], extra: ["SOSPLAN_TEST_CRASH": "after:\(k)"])
        #expect(r.signaled, "apply should have been killed after step \(k): \(r.stdout)\(r.stderr)")
    }

    /// Starts `apply`, waits until `step` has begun (and the stalled call
    /// is running), then kills it and what it runs, like a power cut.
    func kill(_ sandbox: Sandbox, inside step: Step, _ stall: [String]?) throws {
        if let stall {
            let r = try sandbox.sim("fault", ["stall"] + stall + ["30", "--count", "1"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let apply = try sandbox.start(["apply", ApplyFixture.full, "--yes"])
        try ApplyFixture.wait("step \(step.id) to begin") { ApplyFixture.journalBegan(sandbox, step.id) }
        usleep(700_000)  // into the stalled call / the slow stop
        #expect(apply.isRunning, "apply ended before it could be killed inside \(step.id)")
        ProcessTree.kill(apply.processIdentifier)
        apply.waitUntilExit()
        _ = try sandbox.sim("fault", ["clear"])
    }
}

/// Kills a process and everything it started (SIGKILL, children first
/// stopped so none escapes), as an OOM kill of the tree or a power cut would.
enum ProcessTree {
    static func kill(_ pid: Int32) {
        let all = descendants(of: pid) + [pid]
        for p in all { Foundation.kill(p, SIGSTOP) }
        for p in all { Foundation.kill(p, SIGKILL) }
        for p in all { Foundation.kill(p, SIGCONT) }
    }

    static func descendants(of pid: Int32) -> [Int32] {
        var out: [Int32] = []
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        for task in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? ""
            for child in text.split(separator: " ").compactMap({ Int32($0) }) {
                out += descendants(of: child) + [child]
            }
        }
        return out
    }
}
