import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The fault matrix: each kind of step made to fail in turn (a simulator
/// fault, a systemd method the lab's bus refuses, a sysfs file that cannot
/// be written). The apply exits 1 and the host is value-equal to before;
/// with a second fault in an undo, it exits 3 and lists exactly what is left.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct ApplyFaultTests {
    struct Fault: CustomTestStringConvertible, Sendable {
        var name: String
        /// The step that should fail.
        var failing: StepAction
        var target: String
        /// `sosplan-sim fault ...` arguments, if the simulator injects it.
        var sim: [String]?
        /// A Manager method the lab's bus refuses.
        var deny: String?
        /// A file of the simulated sysfs made read-only (a bind mount).
        var readOnly: String?
        var testDescription: String { name }
    }

    static let faults: [Fault] = [
        Fault(name: "McKernel boot fails", failing: .enclaveCreate, target: "enclave:lwk0", sim: ["fail", "ihkosctl", "boot"]),
        Fault(name: "IHK cannot reserve CPUs", failing: .enclaveCreate, target: "enclave:lwk0", sim: ["fail", "ihkconfig", "reserve", "cpu", "--errno", "EBUSY"]),
        Fault(name: "Pisces load fails", failing: .enclaveCreate, target: "enclave:kitten0", sim: ["fail", "pisces_load", "load"]),
        // The Pisces tools offline what they add; a CPU without hotplug is refused before any tool runs.
        Fault(name: "a CPU refuses to go offline", failing: .enclaveCreate, target: "enclave:kitten0", sim: ["refuse-offline", "26"]),
        Fault(name: "the mcexec launcher fails", failing: .unitCreate, target: "sosplan-solver.service", sim: ["fail", "mcexec", "launch", "--count", "0"]),
        Fault(name: "systemd refuses StartUnit", failing: .sliceUpdate, target: "sosplan-slurmd.slice", deny: "StartUnit"),
        Fault(name: "systemd refuses RestartUnit", failing: .unitPlace, target: "slurmd.service", deny: "RestartUnit"),
        Fault(name: "systemd refuses Reload", failing: .hostConfine, target: "host", deny: "Reload"),
        Fault(name: "nr_hugepages is read-only", failing: .hugepagesSet, target: "hugepages:2Mi@node0",
              readOnly: "sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"),
    ]

    @Test(arguments: faults)
    func aFailingStepIsUndoneWithEverythingBeforeIt(_ fault: Fault) throws {
        let sandbox = try Sandbox.up(deny: fault.deny.map { [$0] } ?? [])
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        if let sim = fault.sim {
            let r = try sandbox.sim("fault", sim)
            try #require(r.status == 0, "\(r.stderr)")
        }
        var mount: ReadOnlyMount?
        if let file = fault.readOnly { mount = try ReadOnlyMount(sandbox.root.appendingPathComponent(file).path) }
        defer { mount?.remove() }

        let run = try ApplyFixture.applyJSON(sandbox, [ApplyFixture.full, "--yes"])
        #expect(run.status == 1, "\(fault.name): \(run.log)")
        #expect(run.outcome == "rolled-back", "\(fault.name): \(run.log)")
        let failed = run.events("step-failed").first
        #expect(failed?["action"]?.stringValue == fault.failing.rawValue && failed?["target"]?.stringValue == fault.target,
                "\(fault.name): \(failed.map { JSONWriter.compact($0) } ?? "no step failed")")
        // Every completed step was undone.
        let done = Set(run.events("step-done").compactMap { $0["step"]?.stringValue })
        let undone = Set(run.events("undo-done").compactMap { $0["step"]?.stringValue })
        #expect(done.isSubset(of: undone), "\(fault.name): not undone: \(done.subtracting(undone).sorted())")
        mount?.remove()
        mount = nil
        _ = try sandbox.sim("fault", ["clear"])
        #expect(try ApplyFixture.differences(sandbox, from: before) == [], "\(fault.name): the host changed")
        // The text summary says what failed and that the host is as before.
        let text = try sandbox.sosplan(["apply", ApplyFixture.full, "--yes"], extra: [:])
        if fault.deny == nil {
            #expect(text.status == 0, "\(fault.name): once the fault is gone the apply works: \(text.stdout)\(text.stderr)")
        } else {
            #expect(text.status == 1 && text.stdout.contains("Rolled back:") && text.stdout.contains("the host is as it was before"),
                    "\(fault.name): \(text.stdout)")
        }
    }

    /// A Pisces enclave that was loaded but never ran: its control channel
    /// refuses SHUTDOWN, but the 2015+ `pisces_shutdown` frees it anyway
    /// (research cokernels-upstream.md §7.6), so the apply rolls back whole.
    @Test func aPiscesEnclaveThatNeverRanIsFreedByTheRollback() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        #expect(try sandbox.sim("fault", ["fail", "pisces_launch", "launch"]).status == 0)
        let run = try ApplyFixture.applyJSON(sandbox, [ApplyFixture.full, "--yes"])
        #expect(run.status == 1, "\(run.log)")
        #expect(run.outcome == "rolled-back", "\(run.log)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
    }

    @Test func aSecondFaultInAnUndoExitsThreeListingWhatIsLeft() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        // kitten0's load fails; undoing lwk0 then fails too: a process holds /dev/mcos0.
        #expect(try sandbox.sim("fault", ["fail", "pisces_load", "load"]).status == 0)
        #expect(try sandbox.sim("fault", ["hold-device", "0"]).status == 0)

        let run = try ApplyFixture.applyJSON(sandbox, [ApplyFixture.full, "--yes"])
        #expect(run.status == 3, "\(run.log)")
        #expect(run.outcome == "rollback-incomplete", "\(run.log)")
        #expect(run.events("undo-failed").contains { $0["target"]?.stringValue == "enclave:lwk0" }, "\(run.log)")
        // The list is exactly what differs from before, as observed now.
        let actual = try ApplyFixture.differences(sandbox, from: before)
        #expect(!actual.isEmpty)
        #expect(Set(run.left) == Set(actual), "reported \(run.left), actual \(actual)")
        #expect(actual.contains { $0.contains("lwk0") }, "\(actual)")
    }
}

/// A file made read-only by bind-mounting it onto itself read-only: root
/// ignores permission bits, not a read-only mount.
struct ReadOnlyMount {
    let path: String

    init(_ path: String) throws {
        self.path = path
        let bind = try CommandRunner.run(URL(fileURLWithPath: "/bin/mount"), ["-n", "--bind", path, path])
        try #require(bind.status == 0, "mount --bind: \(bind.stderr)")
        let ro = try CommandRunner.run(URL(fileURLWithPath: "/bin/mount"), ["-n", "-o", "remount,ro,bind", path])
        try #require(ro.status == 0, "remount ro: \(ro.stderr)")
    }

    func remove() {
        _ = try? CommandRunner.run(URL(fileURLWithPath: "/bin/umount"), ["-n", path])
    }
}
