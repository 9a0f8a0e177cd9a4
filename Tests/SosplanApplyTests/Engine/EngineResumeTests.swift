import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// An apply killed part-way (a simulated SIGKILL at a crash point: the
/// apply does nothing more) leaves its journal; the next apply finishes
/// toward the layout, `apply --rollback` undoes it.
@Suite struct EngineResumeTests {
    /// The index (1-based) of the first step of `action` in the plan of `layout`.
    func position(_ host: EngineHost, _ action: StepAction, in layout: String = EngineLayouts.full) throws -> Int {
        let steps = try host.plan(layout).steps
        return try #require(steps.firstIndex { $0.action == action }, "no \(action.rawValue) step") + 1
    }

    @Test func aKilledApplyLeavesItsJournalUnfinished() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let plan = try host.plan(EngineLayouts.full)
        try host.apply(EngineLayouts.full, crash: CrashPoint(when: .after, step: 3))
        let journal = try #require(try host.interrupted())
        #expect(!journal.isFinished)
        // Done: every batch up to the one holding step 3.
        var done: [String] = []
        for batch in StepBatches.of(plan.steps) where done.count < 3 { done += batch.map(\.id) }
        #expect(journal.doneIDs == Set(done), "\(journal.records.map(\.type))")
        #expect(journal.begun.map(\.step.id) == done && journal.interruptedIDs.isEmpty)
        #expect(journal.progress.hasPrefix("after "), "\(journal.progress)")
        #expect(AppliedState.read(in: host.state) == nil, "nothing was recorded as applied")
    }

    @Test func theNextApplyFinishesTowardTheLayout() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.full, crash: CrashPoint(when: .after, step: try position(host, .unitPlace)))
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        #expect(host.events("interrupted").count == 1)
        #expect(try host.plan(EngineLayouts.full).steps.isEmpty)
        let archived = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        #expect(archived.records.last?.result == .converged)
        #expect(try host.interrupted() == nil)
    }

    @Test func rollbackAfterAKillRestoresTheHostAsItWas() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        try host.apply(EngineLayouts.full, crash: CrashPoint(when: .after, step: try position(host, .enclaveCreate)))
        #expect(!host.enclaves.instances.isEmpty)
        let report = try host.reconciler().rollBackInterruptedApply()
        #expect(report.outcome == .restored && report.exitCode == 0, "\(report.left)")
        #expect(SnapshotDifference.between(before, try host.snapshot()).map(\.description) == [])
        #expect(host.enclaves.instances.isEmpty)
    }

    @Test func theStepInTheMiddleIsUndoneToo() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        let create = try position(host, .enclaveCreate)
        // Killed after the enclave step's prior was journalled, before it ran.
        try host.apply(EngineLayouts.full, crash: CrashPoint(when: .before, step: create))
        let journal = try #require(try host.interrupted())
        #expect(journal.interruptedIDs == ["s\(create)"])
        #expect(journal.progress.hasPrefix("during step \(create) of "), "\(journal.progress)")
        let report = try host.reconciler().rollBackInterruptedApply()
        #expect(report.outcome == .restored)
        #expect(report.undone.first?.id == "s\(create)", "the interrupted step is undone first")
        #expect(SnapshotDifference.between(before, try host.snapshot()).map(\.description) == [])
    }

    @Test func cpusTakenOfflineForAnEnclaveThatNeverCameAreGivenBack() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.full, crash: CrashPoint(when: .after, step: try position(host, .cpuOffline)))
        #expect(try !host.snapshot().topology.cpus.allSatisfy(\.online))
        let report = try host.apply(EngineLayouts.empty)
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        let repaired = host.events.compactMap { e -> [String]? in
            if case .repaired(let lines) = e { return lines }
            return nil
        }.flatMap { $0 }
        #expect(repaired.contains { $0.hasPrefix("brought CPUs") && $0.contains("back online") }, "\(repaired)")
        #expect(try host.snapshot().topology.cpus.allSatisfy(\.online))
    }

    @Test func rollbackWithoutAnInterruptedApplyIsRefused() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.slices(2))
        do {
            let report = try host.reconciler().rollBackInterruptedApply()
            Issue.record("rolled back: \(report.outcome)")
        } catch {
            #expect(error.description == "there is no interrupted apply to roll back (no unfinished journal)")
        }
    }

    @Test func aKillInsideABatchUndoesTheWholeBatch() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        try host.apply(EngineLayouts.slices(6), crash: CrashPoint(when: .after, step: 4))
        let journal = try #require(try host.interrupted())
        #expect(journal.doneIDs.count == 6, "a batch is journalled done as one")
        let report = try host.reconciler().rollBackInterruptedApply()
        #expect(report.undone.count == 6)
        #expect(SnapshotDifference.between(before, try host.snapshot()).map(\.description) == [])
    }
}
