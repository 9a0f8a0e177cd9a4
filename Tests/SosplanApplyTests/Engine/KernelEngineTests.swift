import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// The kernel steps through the apply engine, on the in-memory host's
/// scratch kernel files (the real drivers write them): applied and read
/// back, recorded, idempotent, put back when the layout stops asking, and
/// rolled back with everything else when a later step fails or after a crash.
@Suite struct KernelEngineTests {
    static let isolated = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: kernel}
        spec:
          host:
            cpus: {list: "0,8"}
          isolation:
            kernelArgs: [nohz_full, "isolcpus=managed_irq,domain"]
          power:
            unassigned: {governor: powersave}
          services:
            - name: rt
              exec: ["/opt/rt"]
              cpus: {list: "1-2,9-10"}
              isolated: true
              power: {maxIdleLatency: 0us, governor: performance, frequency: {min: max}}
        """

    static let plain = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: kernel}
        spec:
          host:
            cpus: {list: "0,8"}
          services:
            - name: rt
              exec: ["/opt/rt"]
              cpus: {list: "1-2,9-10"}
        """

    /// The kernel files a test compares, by path.
    static let files: [String] = {
        var out = (24...31).map { "proc/irq/\($0)/smp_affinity_list" } + ["proc/irq/default_smp_affinity", "sys/devices/virtual/workqueue/cpumask"]
        for cpu in [1, 4, 9] {
            out += (0...2).map { "sys/devices/system/cpu/cpu\(cpu)/cpuidle/state\($0)/disable" }
            out += ["scaling_governor", "scaling_min_freq", "scaling_max_freq"].map { "sys/devices/system/cpu/cpu\(cpu)/cpufreq/\($0)" }
        }
        return out
    }()

    static func host() throws -> EngineHost {
        let host = try EngineHost()
        try host.memory.makeKernelFiles()
        host.systemd.addVendorUnit("irqbalance.service")
        return host
    }

    static func values(_ host: EngineHost) -> [String: String] {
        Dictionary(uniqueKeysWithValues: files.map { ($0, host.memory.kernelFile($0) ?? "(missing)") })
    }

    @Test func isolationAndPowerAreAppliedReadBackAndRecorded() throws {
        let host = try Self.host()
        defer { host.remove() }
        let report = try host.apply(Self.isolated)
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        #expect(host.memory.kernelFile("proc/irq/27/smp_affinity_list") == "0,8")
        #expect(host.memory.kernelFile("proc/irq/default_smp_affinity") == "00000101")
        #expect(host.memory.kernelFile("sys/devices/virtual/workqueue/cpumask") == "00000101")
        #expect((0...2).map { host.memory.kernelFile("sys/devices/system/cpu/cpu9/cpuidle/state\($0)/disable") } == ["0", "1", "1"])
        #expect(host.memory.kernelFile("sys/devices/system/cpu/cpu1/cpufreq/scaling_governor") == "performance")
        #expect(host.memory.kernelFile("sys/devices/system/cpu/cpu1/cpufreq/scaling_min_freq") == "3500000")
        #expect(host.memory.kernelFile("sys/devices/system/cpu/cpu4/cpufreq/scaling_governor") == "powersave")
        #expect(host.memory.kernelFile("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") == "schedutil", "the host's CPUs have no class")
        #expect(host.memory.kernelFile("etc/default/grub.d/sosplan.cfg")?.hasSuffix(
            "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX nohz_full=1-2,9-10 isolcpus=managed_irq,domain,1-2,9-10\"") == true)
        #expect(try host.systemd.irqbalanceBan() == CPUSet([1, 2, 9, 10]))
        #expect(host.systemd.calls.contains("restart irqbalance.service"))
        let record = KernelOriginalsFile(state: host.state).read().0
        #expect(record.irqs.count == 8 && record.defaultIRQAffinity == host.memory.allCPUs)
        #expect(record.frequency(cpu: 1) == HeldFrequency(cpu: 1, governor: "schedutil", minimum: 800_000))
        #expect(report.warnings.contains { $0.hasPrefix("waiting for a reboot: kernel.cmdline cmdline") }, "\(report.warnings)")
        #expect(report.remaining.isEmpty, "a step waiting for a reboot is no failure to converge")
    }

    @Test func aSecondApplyWritesNothingAndTakingTheLayoutAwayPutsEverythingBack() throws {
        let host = try Self.host()
        defer { host.remove() }
        let before = Self.values(host)
        try host.apply(Self.isolated)
        let again = try host.apply(Self.isolated)
        #expect(again.completed.map(\.action) == [.kernelCommandLine], "only the step waiting for a reboot")
        #expect(again.mutations.total == 0, "\(again.mutations)")
        let back = try host.apply(Self.plain)
        #expect(back.outcome == .converged, "\(back.failure ?? "")")
        #expect(Self.values(host) == before)
        #expect(host.memory.kernelFile("etc/default/grub.d/sosplan.cfg") == nil)
        #expect(try host.systemd.irqbalanceBan() == nil)
        #expect(!FileManager.default.fileExists(atPath: host.state.file(KernelOriginalsFile.name).path), "nothing held, no record")
        #expect(try host.plan(Self.plain).steps.isEmpty)
    }

    @Test func aFailedStepRollsBackEveryKernelChangeAndTheRecord() throws {
        let host = try Self.host()
        defer { host.remove() }
        let before = Self.values(host)
        host.systemd.fail(.restart, unit: "irqbalance.service")
        let report = try host.apply(Self.isolated)
        #expect(report.outcome == .rolledBack, "\(report.failure ?? "")")
        #expect(report.failedStep?.action == .irqbalanceBan)
        #expect(report.undone.contains { $0.action == .irqAffinity } && report.undone.contains { $0.action == .cpufreqSet })
        #expect(Self.values(host) == before)
        #expect(try host.systemd.irqbalanceBan() == nil)
        #expect(KernelOriginalsFile(state: host.state).read().0.isEmpty)
    }

    @Test func anApplyKilledAfterTheKernelStepsIsRolledBackFromItsJournal() throws {
        let host = try Self.host()
        defer { host.remove() }
        let before = Self.values(host)
        let plan = try host.plan(Self.isolated)
        let last = try #require(plan.steps.lastIndex { $0.action == .cpufreqSet })
        try host.apply(Self.isolated, crash: CrashPoint(when: .after, step: last + 1))
        #expect(Self.values(host) != before)
        let report = try host.reconciler().rollBackInterruptedApply()
        #expect(report.outcome == .restored, "\(report.failure ?? "") \(report.left)")
        #expect(Self.values(host) == before)
        #expect(KernelOriginalsFile(state: host.state).read().0.isEmpty)
    }

    @Test func anIRQThatGoesAwayMeanwhileIsSkipped() throws {
        let host = try Self.host()
        defer { host.remove() }
        let plan = try host.plan(Self.isolated)
        try FileManager.default.removeItem(at: host.root.appendingPathComponent("proc/irq/30"))
        let reconciler = host.reconciler()
        let report = reconciler.apply(try reconciler.prepare(
            layout: try host.layout(Self.isolated), source: JournalLayout(file: "/etc/sosplan/engine.yaml", text: Self.isolated)))
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        #expect(plan.steps.contains { $0.action == .irqAffinity })
        #expect(KernelOriginalsFile(state: host.state).read().0.irq(30) == nil)
    }
}
