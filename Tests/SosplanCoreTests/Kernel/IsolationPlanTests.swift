import SosplanCore
import SosplanTestSupport
import Testing

/// Planning `isolated: true` and `spec.isolation`: IRQs, the default IRQ
/// affinity and the workqueue mask go to the host's CPUs in one step each,
/// irqbalance is banned or stopped, what the kernel will not move is named,
/// and taking `isolated` away puts back exactly what was there before.
@Suite struct IsolationPlanTests {
    @Test func isolatedCPUsLoseTheirIRQsAndWorkqueuesToTheHostCPUs() throws {
        let layout = try KernelTestHost.layout(KernelTestHost.isolatedSpec)
        let result = KernelTestHost.plan(layout, on: KernelTestHost.snapshot())
        let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
        let irqs = try #require(plan.steps(.irqAffinity).first)
        #expect(plan.steps(.irqAffinity).count == 1)
        #expect(irqs.target == .kernel(.irqs))
        #expect(irqs.after.keys == (24...31).map { "irq\($0)" }, "the managed IRQ 200 is not in the step")
        #expect(irqs.after.entries.allSatisfy { $0.1 == .string("0,8") })
        #expect(irqs.before["irq24"] == .string("0-15"))
        #expect(plan.steps(.irqDefaultAffinity).first?.after["affinity"] == .string("0,8"))
        #expect(plan.steps(.workqueueMask).first?.after["cpumask"] == .string("0,8"))
        let ban = try #require(plan.steps(.irqbalanceBan).first)
        #expect(ban.target == .unit("irqbalance.service"))
        #expect(ban.after["bannedCPUs"] == .string("1-2,9-10"))
        #expect(plan.steps(.irqbalanceStop).isEmpty)
        #expect(plan.kernelSteps.allSatisfy { $0.disruption == .live })
    }

    @Test func anIRQTheKernelWillNotMoveIsReportedNotFought() throws {
        let spec = KernelTestHost.isolatedSpec.replacingOccurrences(of: "1-2,9-10", with: "4-5,12-13")
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(spec), on: KernelTestHost.snapshot()).plan)
        #expect(plan.steps(.irqAffinity).first?.after["irq200"] == nil)
        #expect(plan.notes.contains { $0.contains("200 (nvme0q5)") && $0.contains("cannot be moved") }, "\(plan.notes)")
    }

    @Test func oneStepForAThousandIRQs() throws {
        let layout = try KernelTestHost.layout(KernelTestHost.isolatedSpec)
        let plan = try #require(KernelTestHost.plan(layout, on: KernelTestHost.snapshot(irqCount: 1000)).plan)
        #expect(plan.steps(.irqAffinity).count == 1)
        #expect(plan.steps(.irqAffinity).first?.after.entries.count == 1000)
    }

    @Test func theHostConvergesAndTakingIsolatedAwayRestoresEverything() throws {
        let before = KernelTestHost.snapshot()
        let isolated = try KernelTestHost.layout(KernelTestHost.isolatedSpec)
        let (applied, again) = KernelTestHost.converge(isolated, before)
        #expect(again.isEmpty, "planning again: \(again.map(\.action.rawValue))")
        let k = try #require(applied.kernel)
        #expect(k.originals.irqs.map(\.irq) == Array(24...31))
        #expect(k.originals.defaultIRQAffinity == KernelTestHost.all)
        #expect(k.irqbalance?.sosplanBan == CPUSet([1, 2, 9, 10]))

        let plain = try KernelTestHost.layout(KernelTestHost.isolatedSpec.replacingOccurrences(of: "      isolated: true\n", with: ""))
        let release = try #require(KernelTestHost.plan(plain, on: applied).plan)
        #expect(release.steps(.irqAffinity).first?.after.entries.allSatisfy { $0.1 == .string("0-15") } == true)
        #expect(release.steps(.irqbalanceBan).first?.after["bannedCPUs"] == .string(""))
        let (restored, more) = KernelTestHost.converge(plain, applied)
        #expect(more.isEmpty)
        let r = try #require(restored.kernel)
        #expect(r.irqs == before.kernel?.irqs.map { var i = $0; if i.number != 200 { i.effective = nil }; return i })
        #expect(r.defaultIRQAffinity == before.kernel?.defaultIRQAffinity)
        #expect(r.workqueueMask == before.kernel?.workqueueMask)
        #expect(r.originals.isEmpty, "nothing held once everything is back: \(r.originals)")
        #expect(r.irqbalance?.sosplanBan == nil)
    }

    @Test func anIRQMovedBackIsPlannedAgainAndKeepsItsFirstOriginal() throws {
        let layout = try KernelTestHost.layout(KernelTestHost.isolatedSpec)
        var (applied, _) = KernelTestHost.converge(layout, KernelTestHost.snapshot())
        let i = try #require(applied.kernel?.irqs.firstIndex { $0.number == 27 })
        applied.kernel!.irqs[i].affinity = CPUSet([2])
        let plan = try #require(KernelTestHost.plan(layout, on: applied).plan)
        #expect(plan.steps(.irqAffinity).first?.after.entries.map(\.0) == ["irq27"])
        let (again, _) = KernelTestHost.converge(layout, applied)
        #expect(again.kernel?.originals.irq(27)?.affinity == KernelTestHost.all, "the value before sosplan, not the one someone else set")
    }

    @Test func irqbalanceStopIsUndoneOnlyWhenSosplanStoppedIt() throws {
        let spec = "  isolation: {irqbalance: stop}\n" + KernelTestHost.isolatedSpec
        let layout = try KernelTestHost.layout(spec)
        let plan = try #require(KernelTestHost.plan(layout, on: KernelTestHost.snapshot()).plan)
        #expect(plan.steps(.irqbalanceStop).count == 1)
        #expect(plan.steps(.irqbalanceBan).isEmpty)
        let (stopped, again) = KernelTestHost.converge(layout, KernelTestHost.snapshot())
        #expect(again.isEmpty)
        #expect(stopped.kernel?.originals.irqbalanceStopped == true)
        let plain = try KernelTestHost.layout(KernelTestHost.isolatedSpec.replacingOccurrences(of: "      isolated: true\n", with: ""))
        #expect(try #require(KernelTestHost.plan(plain, on: stopped).plan).steps(.irqbalanceStart).count == 1)
        // Stopped by someone else: sosplan has no business starting it.
        var other = KernelTestHost.snapshot()
        other.systemd!.units[0].activeState = "inactive"
        #expect(try #require(KernelTestHost.plan(plain, on: other).plan).kernelSteps.isEmpty)
    }

    @Test func unchangedLeavesIRQsAndWorkqueuesAlone() throws {
        let spec = "  isolation: {irqs: unchanged, workqueues: unchanged, irqbalance: unchanged}\n" + KernelTestHost.isolatedSpec
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(spec), on: KernelTestHost.snapshot()).plan)
        #expect(plan.kernelSteps.isEmpty)
    }

    @Test func aLayoutWithoutTheNewFieldsPlansNoKernelStepAndNoNote() throws {
        let spec = KernelTestHost.isolatedSpec.replacingOccurrences(of: "      isolated: true\n", with: "")
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(spec), on: KernelTestHost.snapshot()).plan)
        #expect(plan.kernelSteps.isEmpty)
        #expect(plan.notes.isEmpty)
    }

    @Test func noKernelStateMeansNoKernelStepsAndANote() throws {
        var snapshot = KernelTestHost.snapshot()
        snapshot.kernel = nil
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(KernelTestHost.isolatedSpec), on: snapshot).plan)
        #expect(plan.kernelSteps.isEmpty)
        #expect(plan.notes.contains { $0.contains("kernel state was not observed") })
    }

    @Test func irqbalanceNotInstalledIsANoteNotAStep() throws {
        var snapshot = KernelTestHost.snapshot()
        snapshot.systemd!.units[0].loadState = "not-found"
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(KernelTestHost.isolatedSpec), on: snapshot).plan)
        #expect(plan.steps(.irqbalanceBan).isEmpty)
        #expect(plan.notes.contains { $0.contains("irqbalance.service is not installed") })
    }

    @Test func kernelStepsRoundTripThroughThePlanJSON() throws {
        let spec = "  isolation: {kernelArgs: [nohz_full]}\n" + KernelTestHost.isolatedSpec
        let plan = try #require(KernelTestHost.plan(try KernelTestHost.layout(spec), on: KernelTestHost.snapshot()).plan)
        let decoded = try Plan.decode(json: plan.jsonText())
        #expect(decoded.steps == plan.steps)
        #expect(Set(decoded.steps.map(\.target.description)).isSuperset(of: ["irqs", "irq:default", "workqueues", "irqbalance.service", "cmdline"]))
    }
}
