import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// Independent slice steps run as one batch: every file written, one
/// daemon-reload, every slice read back; other steps run alone.
@Suite struct EngineBatchingTests {
    func step(_ id: String, _ action: StepAction, _ target: StepTarget, after dependsOn: [String] = []) -> Step {
        Step(id: id, action: action, target: target, dependsOn: dependsOn, disruption: .live)
    }

    @Test func consecutiveIndependentSliceStepsFormOneBatch() {
        let steps = [
            step("s1", .sliceCreate, .unit("a.slice")), step("s2", .sliceUpdate, .unit("b.slice")),
            step("s3", .sliceCreate, .unit("c.slice")),
        ]
        #expect(StepBatches.of(steps).map { $0.map(\.id) } == [["s1", "s2", "s3"]])
    }

    @Test func aDependencyStartsANewBatch() {
        let steps = [
            step("s1", .sliceCreate, .unit("a.slice")), step("s2", .sliceCreate, .unit("b.slice"), after: ["s1"]),
            step("s3", .sliceUpdate, .unit("c.slice")),
        ]
        #expect(StepBatches.of(steps).map { $0.map(\.id) } == [["s1"], ["s2", "s3"]])
    }

    @Test func otherStepsRunAloneAndSplitBatches() {
        let steps = [
            step("s1", .sliceCreate, .unit("a.slice")), step("s2", .unitPlace, .unit("nginx.service")),
            step("s3", .sliceRemove, .unit("b.slice")), step("s4", .sliceRemove, .unit("c.slice")),
            step("s5", .sliceCreate, .unit("d.slice")),
        ]
        #expect(StepBatches.of(steps).map { $0.map(\.id) } == [["s1"], ["s2"], ["s3"], ["s4"], ["s5"]])
    }

    @Test func sixtySliceChangesAreOneReload() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.slices(60))
        let reloads = host.systemd.reloads
        let report = try host.apply(EngineLayouts.slices(60, weight: 500))
        #expect(report.outcome == .converged && report.completed.count == 60)
        #expect(Set(report.completed.map(\.action)) == [.sliceUpdate])
        #expect(host.systemd.reloads == reloads + 1, "\(host.systemd.calls.suffix(5))")
        let finished = host.events.compactMap { e -> Int? in
            if case .stepFinished(_, _, _, _, _, let batch) = e { return batch }
            return nil
        }
        #expect(finished.suffix(60).allSatisfy { $0 == 60 }, "each step reports its batch of 60")
    }

    @Test func aBatchTakesItsPriorsFromTheFreshSnapshot() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.slices(20))
        let reconciler = host.reconciler()
        let text = EngineLayouts.slices(20, weight: 400)
        let prepared = try reconciler.prepare(layout: try host.layout(text), source: JournalLayout(file: "x.yaml", text: text))
        let reads = host.systemd.unitReads
        let report = reconciler.apply(prepared)
        #expect(report.outcome == .converged)
        #expect(host.systemd.unitReads == reads, "the slices were read again for their priors")
        let journal = try #require(try ApplyJournal.read(in: host.state, name: ApplyJournal.lastFileName))
        let priors = journal.begun.map(\.prior)
        #expect(priors.count == 20 && priors.allSatisfy { $0.units?.first?.cpuWeight != nil })
    }

    @Test func everySliceOfABatchIsCheckedAgainstWhatSystemdReports() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let report = try host.apply(EngineLayouts.slices(5))
        #expect(report.outcome == .converged)
        let weights = try host.systemd.observeUnits((0..<5).map { "sosplan-s\($0).slice" }).map(\.cpuWeight)
        #expect(weights == [100, 101, 102, 103, 104])
        #expect(host.systemd.calls.filter { $0.hasPrefix("start ") && $0.hasSuffix(".slice") }.count == 5)
        #expect(host.systemd.calls.filter { $0 == "reload" }.count == 1 + 5, "one for the slices, one per unit")
    }
}
