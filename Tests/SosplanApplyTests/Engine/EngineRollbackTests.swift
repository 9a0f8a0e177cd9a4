import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// A step that fails is undone with every step before it, newest first,
/// and the host ends as it was: exit 1; or, when an undo fails too, with
/// an exact list of what is left: exit 3.
@Suite struct EngineRollbackTests {
    func differences(_ host: EngineHost, from before: HostSnapshot) throws -> [String] {
        SnapshotDifference.between(before, try host.snapshot()).map(\.description)
    }

    @Test func aFailedUnitStartRollsBackEverythingBefore() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        host.systemd.fail(.start, unit: "sosplan-batch.service")
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .rolledBack && report.exitCode == 1)
        #expect(report.failedStep?.target == .unit("sosplan-batch.service"))
        #expect(report.failure?.contains("systemd could not start sosplan-batch.service") == true, "\(report.failure ?? "")")
        #expect(report.left.isEmpty && report.completed.isEmpty)
        #expect(try differences(host, from: before) == [])
        let plan = try #require(report.plan)
        let failedAt = try #require(plan.steps.firstIndex { $0.id == report.failedStep?.id })
        #expect(report.undone.map(\.id) == plan.steps[...failedAt].reversed().map(\.id), "undone newest first, the failed step too")
    }

    @Test func aFailedReloadUndoesTheWholeBatch() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        host.systemd.fail(.reload)
        let report = try host.apply(EngineLayouts.slices(4))
        #expect(report.outcome == .rolledBack)
        #expect(report.undone.count == 4, "\(report.undone.map(\.id))")
        #expect(try differences(host, from: before) == [])
        #expect(host.systemd.state.files.isEmpty, "files of the failed batch are removed again")
    }

    @Test func aFailedEnclaveCreateBringsItsCPUsBackOnline() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        host.enclaves.failing = ["create"]
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .rolledBack)
        #expect(report.failedStep?.action == .enclaveCreate)
        #expect(report.undone.contains { $0.action == .cpuOffline })
        #expect(try host.snapshot().topology.cpus.allSatisfy(\.online))
        #expect(try differences(host, from: before) == [])
    }

    @Test func aFailedUndoEndsWithWhatIsLeft() throws {
        let host = try EngineHost()
        defer { host.remove() }
        host.systemd.fail(.start, unit: "sosplan-batch.service")
        // The undo of the enclave's creation shuts it down: that fails.
        host.enclaves.failing = ["destroy"]
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .rollbackIncomplete && report.exitCode == 3)
        #expect(report.undoFailures.map(\.step.action) == [.enclaveCreate])
        #expect(report.undone.count == (report.plan?.steps.count ?? 0) - 1, "every other step is undone")
        #expect(report.left.contains { $0.contains("kit") }, "\(report.left)")
        let journal = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        #expect(journal.records.last?.result == .rollbackIncomplete && journal.records.last?.left == report.left)
    }

    @Test func aUnitThatExitsRightAfterItStartedFailsItsStep() throws {
        let host = try EngineHost()
        defer { host.remove() }
        host.systemd.exitsAfterStart = ["sosplan-batch.service"]
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .rolledBack)
        #expect(report.failure?.hasPrefix("sosplan-batch.service did not stay running") == true, "\(report.failure ?? "")")
    }

    @Test func anotherManagersSliceGetsADropInAndItsFileIsNeverTouched() throws {
        let host = try EngineHost()
        defer { host.remove() }
        host.systemd.addForeignFile("sosplan-s1.slice", unit: "sosplan-s1.slice")
        let theirs = host.systemd.state.files["sosplan-s1.slice"]
        let report = try host.apply(EngineLayouts.slices(3))
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        #expect(host.systemd.state.files["sosplan-s1.slice"] == theirs)
        #expect(host.systemd.state.files["sosplan-s1.slice.d/40-sosplan-properties.conf"]?.kind == .sliceProperties)
    }

    @Test func aForeignFileWhereSosplanWouldWriteFailsTheBatchBeforeAnythingIsWritten() throws {
        let host = try EngineHost()
        defer { host.remove() }
        host.systemd.addForeignFile("sosplan-s1.slice", unit: "sosplan-s1.slice")
        host.systemd.addForeignFile("sosplan-s1.slice.d/40-sosplan-properties.conf", unit: "sosplan-s1.slice")
        let before = host.systemd.state.files
        let report = try host.apply(EngineLayouts.slices(3))
        #expect(report.outcome == .rolledBack)
        #expect(report.failure?.hasPrefix("refusing to change sosplan-s1.slice") == true, "\(report.failure ?? "")")
        #expect(host.systemd.state.files == before, "no file of the batch was written, theirs untouched")
        #expect(host.systemd.reloads == 0)
    }

    @Test func aMissingHugepagePoolFailsItsStepAndNothingStays() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let before = try host.snapshot()
        try FileManager.default.removeItem(at: host.root.appendingPathComponent(
            "sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages"))
        let report = try host.apply(EngineLayouts.full)
        #expect(report.outcome == .rolledBack)
        #expect(report.failedStep?.action == .hugepagesSet)
        #expect(report.failure?.contains("does not exist") == true, "\(report.failure ?? "")")
        #expect(host.systemd.state.files.isEmpty && host.enclaves.instances.isEmpty)
        #expect(try host.snapshot().topology.cpus == before.topology.cpus)
    }

    @Test func theRollbackIsJournalledUndoByUndo() throws {
        let host = try EngineHost()
        defer { host.remove() }
        host.systemd.fail(.start, unit: "sosplan-batch.service")
        let report = try host.apply(EngineLayouts.full)
        let journal = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        #expect(journal.records.last?.type == .end && journal.records.last?.result == .rolledBack)
        let failed = try #require(journal.records.first { $0.type == .stepsFailed })
        #expect(failed.steps == [report.failedStep?.id ?? ""] && failed.error == report.failure)
        let undone = journal.records.filter { $0.type == .undoDone }.flatMap { $0.steps ?? [] }
        #expect(undone == report.undone.map(\.id))
        #expect(try ApplyJournal.read(in: host.state) == nil, "no unfinished journal is left")
    }
}
