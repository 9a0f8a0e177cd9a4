import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// What an apply writes to its journal on the in-memory host: the plan and
/// the host before, each step's prior before it runs, its actions after.
@Suite struct EngineJournalTests {
    @Test func everyStepIsJournalledBeforeAndAfterWithItsPrior() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.full)
        let plan = try #require(report.plan)
        let journal = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        #expect(journal.header?.plan.steps == plan.steps && journal.header?.trigger == "cli")
        let kinds = journal.records.map(\.type)
        #expect(kinds.first == .begin && kinds.last == .end)
        let batches = StepBatches.of(plan.steps)
        #expect(kinds.filter { $0 == .stepsBegun }.count == batches.count && kinds.filter { $0 == .stepsDone }.count == batches.count)
        for r in journal.records where r.type == .stepsBegun {
            #expect(r.priors?.count == r.steps?.count, "one prior per step")
        }
        // Each begun record comes right before its done record.
        for (i, r) in journal.records.enumerated() where r.type == .stepsBegun {
            #expect(journal.records[i + 1].type == .stepsDone && journal.records[i + 1].steps == r.steps)
        }
    }

    @Test func priorsRecordWhatEachTargetWasBefore() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.full)
        let journal = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        for (step, prior) in journal.begun {
            switch step.action {
            case .cpuOffline: #expect(prior.onlineCPUs == step.target.cpus, "the CPUs were online")
            case .hugepagesSet: #expect(prior.hugepages == 0)
            case .enclaveCreate: #expect(prior.enclave == nil && prior.unnamedInstances == [])
            case .unitPlace: #expect(prior.units?.first?.slice == "system.slice")
            case .hostConfine: #expect(prior.units?.map(\.name) == HostUnits.names)
            case .sliceUpdate:
                let unit = prior.units?.first
                #expect(unit?.loadState == "loaded" && unit?.activeState == "inactive" && unit?.managed == false)
            case .unitCreate: #expect(prior.units?.first?.loadState == "not-found")
            default: Issue.record("unexpected \(step.action.rawValue)")
            }
        }
    }

    @Test func theDriversActionsAreJournalledWithEachStep() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.slices(2))
        let journal = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        let done = try #require(journal.records.first { $0.type == .stepsDone })
        #expect(done.steps == ["s1", "s2"])
        #expect(done.actions?.contains("reloaded systemd") == true && done.actions?.contains("started") == true, "\(done.actions ?? [])")
        #expect(done.actions?.contains("wrote /etc/systemd/system/sosplan-s0.slice") == true)
    }

    @Test func aPlanWithNoStepsWritesNoJournal() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.empty)
        #expect(report.outcome == .noChanges)
        #expect(try ApplyJournal.read(in: host.state) == nil)
        #expect(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName) == nil)
        #expect(AppliedState.read(in: host.state) != nil, "a no-op apply still records the layout as applied")
    }

    @Test func anUnfinishedJournalIsTakenOverAndMarkedSuperseded() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.slices(3), crash: CrashPoint(when: .before, step: 1))
        let text = EngineLayouts.slices(3)
        _ = try host.reconciler().prepare(layout: try host.layout(text), source: JournalLayout(file: "x.yaml", text: text))
        let archived = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        #expect(archived.records.last?.result == .superseded)
        #expect(archived.interruptedIDs == ["s1", "s2", "s3"])
        #expect(try host.interrupted() == nil)
        #expect(host.events("interrupted").count == 1)
    }
}
