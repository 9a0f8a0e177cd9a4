import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// Executors one by one, and the runner's table.
@Suite struct ExecutorTests {
    @Test func everyActionHasTheExecutorOfItsFamily() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let runner = StepRunner(host: host.host)
        var families: [String: [StepAction]] = [:]
        for action in StepAction.allCases { families["\(type(of: runner.executor(for: action)))", default: []].append(action) }
        #expect(families["SliceExecutor"] == [.sliceCreate, .sliceUpdate, .sliceRemove])
        #expect(families["HotplugExecutor"] == [.cpuOffline, .cpuOnline, .memoryOffline, .memoryOnline])
        #expect(families["EnclaveExecutor"] == [.enclaveCreate, .enclaveGrow, .enclaveShrink, .enclaveDestroy])
        #expect(families["KubeletExecutor"] == [.kubeletStop, .kubeletClearCPUState, .kubeletStart])
        #expect(families["IRQAffinityExecutor"] == [.irqAffinity])
        #expect(families["KernelMaskExecutor"] == [.irqDefaultAffinity, .workqueueMask])
        #expect(families["IRQBalanceExecutor"] == [.irqbalanceBan, .irqbalanceStop, .irqbalanceStart])
        #expect(families["CPUIdleExecutor"] == [.cpuidleSet] && families["CPUFrequencyExecutor"] == [.cpufreqSet])
        #expect(families["BootArgumentsExecutor"] == [.kernelCommandLine])
        #expect(families["SlurmNodeExecutor"] == [.slurmNode])
        #expect(families.count == 16, "\(families.keys.sorted())")
        #expect(StepAction.allCases.filter(StepRunner.batchable) == [.sliceCreate, .sliceUpdate])
    }

    func cpuStep(_ action: StepAction, _ cpus: CPUSet) -> Step {
        Step(id: "s1", action: action, target: .cpus(cpus), disruption: .live)
    }

    @Test func offliningCPUsCapturesExecutesAndUndoes() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let executor = HotplugExecutor(host: host.host)
        let step = cpuStep(.cpuOffline, CPUSet([2, 3]))
        try host.host.hotplug.setCPU(3, online: false)
        let prior = try executor.capture(step)
        #expect(prior.onlineCPUs == CPUSet([2]))
        let result = try executor.execute(step, prior: prior)
        #expect(result.actions == ["offlined CPUs 2"], "CPU 3 was offline already")
        #expect(!host.host.hotplug.isCPUOnline(2) && !host.host.hotplug.isCPUOnline(3))
        #expect(try executor.undo(step, prior: prior) == ["onlined CPU 2"])
        #expect(host.host.hotplug.isCPUOnline(2) && !host.host.hotplug.isCPUOnline(3), "back as captured")
        #expect(host.host.counts.sysfsWrites == 2, "one write to offline CPU 2, one to bring it back")
    }

    @Test func aFlipThatFailsPartWayPutsBackWhatItChanged() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let executor = HotplugExecutor(host: host.host)
        // CPU 0 has no online file: it cannot be taken offline, and the step fails with nothing changed.
        let step = cpuStep(.cpuOffline, CPUSet([0, 5]))
        #expect(throws: StepFailure.self) { try executor.execute(step, prior: try executor.capture(step)) }
        #expect(host.host.hotplug.isCPUOnline(5) && host.host.counts.sysfsWrites == 0)
        // A write that fails after two succeeded: those two are put back.
        let flip = HotplugFlip(
            plural: "CPUs", counts: host.host.counts,
            write: { id, on throws(EnclaveError) in
                if id == 7 { throw EnclaveError(.permission, "CPU 7: injected") }
                return try host.host.hotplug.setCPU(id, online: on)
            }, restored: { _, _ in "" })
        #expect(throws: StepFailure.self) { try flip.set(CPUSet([5, 6, 7]), to: { _ in false }, putBackOnFailure: true) }
        #expect(host.host.hotplug.isCPUOnline(5) && host.host.hotplug.isCPUOnline(6), "5 and 6 were put back online")
    }

    @Test func hugepagesSetAndUndo() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let executor = HugepageExecutor(host: host.host)
        let step = Step(
            id: "s1", action: .hugepagesSet, target: .hugepages(HugepageTarget(sizeBytes: 2 << 20, node: 1)), disruption: .live,
            before: ["count": .int(0)], after: ["count": .int(32)])
        let prior = try executor.capture(step)
        #expect(prior.hugepages == 0)
        #expect(try executor.execute(step, prior: prior).actions == ["set 2Mi pages on node 1 to 32"])
        #expect(host.host.hugepages.count(node: 1, sizeBytes: 2 << 20) == 32)
        #expect(try executor.undo(step, prior: prior) == ["set 2Mi pages on node 1 back to 0"])
        #expect(try executor.undo(step, prior: prior) == [], "an undone step is left as it is")
    }

    @Test func aSliceUpdateIsUndoneToTheSettingsItHad() throws {
        let host = try EngineHost()
        defer { host.remove() }
        try host.apply(EngineLayouts.slices(1, weight: 100))
        let plan = try host.plan(EngineLayouts.slices(1, weight: 700))
        let step = try #require(plan.steps.first)
        #expect(step.action == .sliceUpdate && step.after == ["CPUWeight": .uint(700)])
        let executor = SliceExecutor(host: host.host)
        let prior = try executor.capture(step)
        _ = try executor.execute(step, prior: prior)
        #expect(try host.systemd.observeUnit("sosplan-s0.slice").cpuWeight == 700)
        _ = try executor.undo(step, prior: prior)
        let back = try host.systemd.observeUnit("sosplan-s0.slice")
        #expect(back.cpuWeight == 100 && back.managed && back.activeState == "active")
    }

    @Test func aSliceStepWithAMalformedValueFailsBeforeSystemdIsAsked() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let step = Step(
            id: "s1", action: .sliceCreate, target: .unit("sosplan-x.slice"), disruption: .live, after: ["CPUWeight": .string("high")])
        let executor = SliceExecutor(host: host.host)
        let calls = host.systemd.calls.count
        #expect(throws: StepFailure("step s1 (sosplan-x.slice): plan property CPUWeight: '\"high\"' cannot be written to a unit file: expected a number or null")) {
            try executor.execute(step, prior: try executor.capture(step))
        }
        #expect(host.systemd.calls.count == calls && host.systemd.state.files.isEmpty)
    }

    @Test func anOrphanEnclaveIsDestroyedByItsHandle() throws {
        let host = try EngineHost()
        defer { host.remove() }
        let orphan = try host.enclaves.create(EnclaveRequest(name: "gone", cpus: CPUSet([12]), memory: []))
        let step = Step(
            id: "s1", action: .enclaveDestroy, target: .enclave(.instance(driver: .pisces, handle: orphan.instance)), disruption: .recreate,
            before: ["driver": .string("pisces"), "cpus": .string("12")])
        #expect(step.target.description == "enclave:pisces:\(orphan.instance)")
        let executor = EnclaveExecutor(host: host.host)
        let prior = try executor.capture(step)
        #expect(prior.enclave?.instance == orphan.instance)
        _ = try executor.execute(step, prior: prior)
        #expect(host.enclaves.instances.isEmpty && host.enclaves.operations.last == "destroy \(orphan.instance)")
    }
}

/// A family's own record of the state before its step survives the journal.
@Suite struct StepPriorRecordTests {
    struct AffinityBefore: Codable, Equatable {
        var irq: Int
        var cpus: String
    }

    @Test func anExecutorsOwnRecordRoundTripsThroughTheJournal() throws {
        var prior = StepPrior()
        try prior.store(AffinityBefore(irq: 24, cpus: "0-3"))
        var record = JournalRecord(.stepsBegun, steps: ["s1"])
        record.priors = [prior]
        let line = JSONWriter.compact(try JSONValueEncoder().encode(record))
        let back = try JSONValueDecoder().decode(JournalRecord.self, from: try JSONParser.parse(line))
        #expect(back.priors?.first?.stored(AffinityBefore.self) == AffinityBefore(irq: 24, cpus: "0-3"))
        #expect(StepPrior().stored(AffinityBefore.self) == nil)
    }
}
