import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Reading `isolated`, `power` and `spec.isolation`: units, defaults, the
/// boot arguments' rendering, and the checks that need several fields.
@Suite struct IsolationLayoutTests {
    @Test func defaultsSteerIRQsAndWorkqueuesToTheHostAndBanIRQBalance() throws {
        let layout = try KernelTestHost.layout(KernelTestHost.isolatedSpec)
        #expect(layout.isolation == IsolationSpec())
        #expect(layout.isolation.irqs == .host && layout.isolation.workqueues == .host && layout.isolation.irqbalance == .ban)
        #expect(layout.services[0].isolated)
        #expect(layout.observedUnitNames.contains("irqbalance.service"))
    }

    @Test func aLayoutWithoutIsolationObservesNoIRQBalance() throws {
        let layout = try KernelTestHost.layout(KernelTestHost.isolatedSpec.replacingOccurrences(of: "      isolated: true\n", with: ""))
        #expect(!layout.observedUnitNames.contains("irqbalance.service"))
    }

    @Test(arguments: [("0us", 0), ("20us", 20_000), ("20µs", 20_000), ("2ms", 2_000_000), ("500ns", 500)] as [(String, UInt64)])
    func idleLatencies(_ text: String, _ nanoseconds: UInt64) throws {
        let layout = try KernelTestHost.layout("  power:\n    unassigned: {maxIdleLatency: \(text)}\n")
        #expect(layout.power.unassigned?.maxIdleLatency == IdleLatency(nanoseconds: nanoseconds))
    }

    @Test func aStateIsTooSlowOnlyAboveTheBound() {
        let bound = IdleLatency(nanoseconds: 2_000)
        #expect(!bound.excludes(latencyMicroseconds: 2))
        #expect(bound.excludes(latencyMicroseconds: 3))
        #expect(!IdleLatency(nanoseconds: 0).excludes(latencyMicroseconds: 0))
        #expect(IdleLatency(nanoseconds: 500).excludes(latencyMicroseconds: 1))
    }

    @Test(arguments: [("min", FrequencyBound.hardwareMinimum), ("max", .hardwareMaximum), ("2.4GHz", .kilohertz(2_400_000)),
                      ("1.25GHz", .kilohertz(1_250_000)), ("800MHz", .kilohertz(800_000)), ("1200000kHz", .kilohertz(1_200_000))])
    func frequencies(_ text: String, _ bound: FrequencyBound) throws {
        let layout = try KernelTestHost.layout("  power:\n    unassigned: {frequency: {max: \(text)}}\n")
        #expect(layout.power.unassigned?.maxFrequency == bound)
    }

    @Test func aFrequencyFinerThanAKilohertzIsRefused() {
        let text = layoutTextForProblems("  power:\n    unassigned: {frequency: {max: 1.5kHz}}\n")
        #expect(text.contains("1.5kHz is not a whole number of kHz"), "\(text)")
    }

    @Test func anArgumentIsGivenOnce() {
        let text = layoutTextForProblems("  isolation:\n    kernelArgs: [\"isolcpus=managed_irq\", isolcpus]\n")
        #expect(text.contains("t.yaml:7:42: error: spec.isolation.kernelArgs[1]: isolcpus is given twice (first as item 0)"), "\(text)")
    }

    @Test func renderedArguments() {
        let isolated = CPUSet([2, 3, 10, 11]), host = CPUSet([0, 8])
        #expect(KernelArgument(.nohzFull).rendered(isolated: isolated, host: host) == "nohz_full=2-3,10-11")
        #expect(KernelArgument(.isolcpus, flags: ["managed_irq", "domain"]).rendered(isolated: isolated, host: host) == "isolcpus=managed_irq,domain,2-3,10-11")
        #expect(KernelArgument(.isolcpus).rendered(isolated: isolated, host: host) == "isolcpus=2-3,10-11")
        #expect(KernelArgument(.irqaffinity).rendered(isolated: isolated, host: host) == "irqaffinity=0,8")
        #expect(KernelArgument(.kthreadCPUs).rendered(isolated: isolated, host: host) == "kthread_cpus=0,8")
    }

    @Test func isolationWithNothingIsolatedIsAWarning() throws {
        let result = LayoutDecoder.decode(
            layoutText("  isolation: {irqbalance: stop}\n  services:\n    - name: a\n      exec: [/bin/true]\n      cpus: 2\n"), file: "t.yaml")
        #expect(result.layout != nil)
        #expect(DiagnosticFormatter.text(result.diagnostics).hasPrefix("t.yaml:6:3: warning: spec.isolation: no service is isolated"))
    }

    @Test func theExampleDecodesAsItReads() throws {
        let url = RepositoryPaths.examples.appendingPathComponent("low-latency.yaml")
        let layout = try #require(LayoutDecoder.decode(try LayoutCorpus.bytes(url), file: "Examples/low-latency.yaml").layout)
        let feed = try #require(layout.service(named: "market-feed"))
        #expect(feed.isolated)
        #expect(feed.power?.maxIdleLatency == IdleLatency(nanoseconds: 0))
        #expect(feed.power?.governor == "performance")
        #expect(feed.power?.minFrequency == .hardwareMaximum && feed.power?.maxFrequency == .hardwareMaximum)
        #expect(layout.service(named: "batch")?.power?.maxFrequency == .kilohertz(2_000_000))
        #expect(layout.power.unassigned?.governor == "powersave")
        #expect(layout.isolation.kernelArgs.map(\.description) == ["nohz_full", "rcu_nocbs", "isolcpus=managed_irq,domain"])
    }

    /// Every problem of a `spec:` body, as `validate` prints them.
    func layoutTextForProblems(_ spec: String) -> String {
        DiagnosticFormatter.text(LayoutDecoder.decode(layoutText(spec), file: "t.yaml").diagnostics)
    }
}
