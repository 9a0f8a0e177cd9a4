import SosplanCore
import SosplanTestSupport
import Testing

/// Planning power classes: C-states above `maxIdleLatency` off, governor and
/// limits per owner (min/max of the hardware or a value), the unassigned
/// class for the shared pool; what the host cannot give is an error at the
/// layout's line; taking a class away puts back what was there.
@Suite struct PowerPlanTests {
    static let spec = """
          host:
            cpus: {list: "0,8"}
          power:
            unassigned: {governor: powersave}
          services:
            - name: rt
              exec: ["/opt/rt"]
              cpus: {list: "1-2,9-10"}
              power:
                maxIdleLatency: 0us
                governor: performance
                frequency: {min: max, max: max}
            - name: batch
              exec: ["/opt/batch"]
              cpus: {list: "3,11"}
              power:
                maxIdleLatency: 10us
                frequency: {min: 1.2GHz, max: 2.4GHz}

        """

    @Test func eachOwnerGetsOneIdleAndOneFrequencyStep() throws {
        let result = KernelTestHost.plan(try KernelTestHost.layout(Self.spec), on: KernelTestHost.snapshot())
        let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
        let idle = plan.steps(.cpuidleSet)
        #expect(idle.map(\.target) == [.cpus(CPUSet([1, 2, 9, 10])), .cpus(CPUSet([3, 11]))])
        #expect(idle[0].after["cpu1"] == .string("1-2"), "0us: C1 (2us) and C6 (133us) off, POLL stays")
        #expect(idle[1].after["cpu3"] == .string("2"), "10us: only C6 off")
        #expect(idle[0].reason?.contains("C1 (2us), C6 (133us)") == true, "\(idle[0].reason ?? "")")
        let freq = plan.steps(.cpufreqSet)
        let rt = try #require(freq.first { $0.target == .cpus(CPUSet([1, 2, 9, 10])) })
        #expect(rt.after["cpu1"] == .object([("governor", .string("performance")), ("min", .int(3_500_000))]), "max is already the hardware's")
        let batch = try #require(freq.first { $0.target == .cpus(CPUSet([3, 11])) })
        #expect(batch.after["cpu3"] == .object([("max", .int(2_400_000)), ("min", .int(1_200_000))]))
        let unassigned = try #require(freq.first { $0.reason?.hasPrefix("unassigned") == true })
        #expect(unassigned.target == .cpus(CPUSet([4, 5, 6, 7, 12, 13, 14, 15])), "the shared pool, not the host's CPUs")
    }

    @Test func convergesAndTakingTheClassesAwayRestoresThem() throws {
        let before = KernelTestHost.snapshot()
        let layout = try KernelTestHost.layout(Self.spec)
        let (applied, again) = KernelTestHost.converge(layout, before)
        #expect(again.isEmpty, "\(again.map { "\($0.action.rawValue) \($0.target)" })")
        #expect(applied.kernel?.cpu(1)?.disabledStates == IDSet([1, 2]))
        #expect(applied.kernel?.originals.frequency(cpu: 3) == HeldFrequency(cpu: 3, minimum: 800_000, maximum: 3_500_000))
        let plain = try KernelTestHost.layout("""
              host:
                cpus: {list: "0,8"}
              services:
                - name: rt
                  exec: ["/opt/rt"]
                  cpus: {list: "1-2,9-10"}
                - name: batch
                  exec: ["/opt/batch"]
                  cpus: {list: "3,11"}

            """)
        let (restored, more) = KernelTestHost.converge(plain, applied)
        #expect(more.isEmpty)
        #expect(restored.kernel?.cpus == before.kernel?.cpus)
        #expect(restored.kernel?.originals.isEmpty == true)
    }

    @Test func aGovernorTheHostLacksIsAnErrorAtItsLine() throws {
        let spec = Self.spec.replacingOccurrences(of: "governor: performance", with: "governor: ondemand")
        let result = KernelTestHost.plan(try KernelTestHost.layout(spec), on: KernelTestHost.snapshot())
        #expect(result.plan == nil)
        let text = DiagnosticFormatter.text(result.diagnostics)
        #expect(text.contains("k.yaml:16:19: error: governor 'ondemand' is not available on CPU 1 (service rt)"), "\(text)")
        #expect(text.contains("hint: available: performance, powersave, schedutil"))
    }

    @Test func aFrequencyOutsideTheHardwareIsAnError() throws {
        let spec = Self.spec.replacingOccurrences(of: "max: 2.4GHz", with: "max: 4GHz")
        let result = KernelTestHost.plan(try KernelTestHost.layout(spec), on: KernelTestHost.snapshot())
        #expect(result.plan == nil)
        #expect(DiagnosticFormatter.text(result.diagnostics).contains("4 GHz is outside what CPU 3 can run at (800 MHz–3.5 GHz)"))
    }

    @Test func noCPUFreqIsAnErrorForGovernorsButNotForCStates() throws {
        let snapshot = KernelTestHost.snapshot(cpufreq: false)
        let result = KernelTestHost.plan(try KernelTestHost.layout(Self.spec), on: snapshot)
        #expect(result.plan == nil)
        #expect(DiagnosticFormatter.text(result.diagnostics).contains("has no cpufreq"))
        let idleOnly = try KernelTestHost.layout("""
              host:
                cpus: {list: "0,8"}
              services:
                - name: rt
                  exec: ["/opt/rt"]
                  cpus: {list: "1-2,9-10"}
                  power: {maxIdleLatency: 0us}

            """)
        let plan = try #require(KernelTestHost.plan(idleOnly, on: snapshot).plan)
        #expect(plan.steps(.cpuidleSet).count == 1)
    }

    @Test func cpusOfOnePolicyMustAgree() throws {
        var snapshot = KernelTestHost.snapshot()
        for i in snapshot.kernel!.cpus.indices where [3, 4].contains(snapshot.kernel!.cpus[i].cpu) {
            snapshot.kernel!.cpus[i].frequency?.policyCPUs = CPUSet([3, 4])
        }
        let result = KernelTestHost.plan(try KernelTestHost.layout(Self.spec), on: snapshot)
        #expect(result.plan == nil)
        #expect(DiagnosticFormatter.text(result.diagnostics).contains("CPUs 3-4 share one cpufreq policy"))
    }

    @Test func anEnclaveClassIsSetBeforeTheEnclaveTakesItsCPUs() throws {
        let layout = try KernelTestHost.layout("""
              host:
                cpus: {list: "0,8"}
              enclaves:
                - name: lwk
                  driver: pisces
                  cpus: {list: "4-7,12-15"}
                  memory: 2Gi
                  power: {governor: performance}

            """)
        let plan = try #require(KernelTestHost.plan(layout, on: KernelTestHost.snapshot()).plan)
        let freq = try #require(plan.steps(.cpufreqSet).first)
        let create = try #require(plan.steps(.enclaveCreate).first)
        #expect(freq.target == .cpus(CPUSet([4, 5, 6, 7, 12, 13, 14, 15])))
        #expect(create.dependsOn.contains(freq.id), "\(create.dependsOn)")
    }
}
