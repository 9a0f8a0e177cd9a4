import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// A layout applied end to end on the in-memory host: every kind of step,
/// convergence, idempotence, the record of what was applied.
@Suite struct EngineApplyTests {
    @Test func fullLayoutConvergesAndPlansToNothingAfter() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        #expect(report.exitCode == 0 && report.remaining.isEmpty && report.warnings.isEmpty, "\(report.warnings)")
        #expect(try host.plan(EngineLayouts.full).steps.isEmpty, "planning again gives steps")
        let snapshot = try host.snapshot()
        let kit = try #require(snapshot.enclaves.first { $0.name == "kit" })
        #expect(kit.cpus.count == 2 && snapshot.topology.cpus.filter { kit.cpus.contains($0.id) }.allSatisfy { !$0.online })
        #expect(snapshot.systemd?.unit("nginx.service")?.slice == "sosplan-web.slice")
        #expect(snapshot.systemd?.unit("sosplan-batch.service")?.activeState == "active")
        #expect(snapshot.topology.node(0)?.hugepages(size: 2 << 20)?.total == 64)
    }

    @Test func everyKindOfStepRuns() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.full)
        let kinds = Set(report.completed.map(\.action))
        // systemd makes up a slice it has no file for (loaded, inactive), as in the lab: new slices are updates.
        #expect(kinds == [.hostConfine, .sliceUpdate, .unitPlace, .unitCreate, .hugepagesSet, .cpuOffline, .enclaveCreate])
        #expect(report.completed.count == report.plan?.steps.count)
    }

    @Test func aSecondApplyMakesNoMutatingCallAtAll() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.full)
        let calls = host.systemd.mutatingCallCount, operations = host.enclaves.operations.count
        let again = try host.apply(EngineLayouts.full)
        #expect(again.outcome == .noChanges)
        #expect(again.mutations.total == 0, "\(again.mutations)")
        #expect(host.systemd.mutatingCallCount == calls && host.enclaves.operations.count == operations)
    }

    @Test func theAppliedLayoutAndHostAreRecorded() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.full)
        let applied = try #require(AppliedState.read(in: host.state))
        #expect(applied.plan.steps == report.plan?.steps)
        #expect(applied.layout?.sha256 == JournalLayout(file: "x", text: EngineLayouts.full).sha256)
        #expect(applied.trigger == "cli" && applied.unitNames.contains("sosplan-web.slice"))
        let now = try host.memory.observe(applied.unitNames)
        #expect(SnapshotDifference.between(applied.snapshot, now).map(\.description) == [], "the record is the host as it is after")
    }

    @Test func theEmptyLayoutTakesBackEverything() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        try host.apply(EngineLayouts.full)
        let report = try host.apply(EngineLayouts.empty)
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        let after = try host.snapshot()
        #expect(after.systemd?.units.filter(\.managed).map(\.name) == [])
        #expect(after.enclaves.isEmpty && after.topology.cpus.allSatisfy(\.online))
        #expect(SnapshotDifference.between(before, after).map(\.description) == [])
    }

    @Test func eventsComeInOrderWithOneFinish() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.full)
        let steps = report.plan?.steps.count ?? 0
        #expect(host.events("planned").count == 1 && host.events("finished").count == 1)
        #expect(host.events("stepStarted").count == steps && host.events("stepFinished").count == steps)
        let last = try #require(host.events.last)
        #expect("\(last)".hasPrefix("finished"), "the last event is \(last)")
    }
}
