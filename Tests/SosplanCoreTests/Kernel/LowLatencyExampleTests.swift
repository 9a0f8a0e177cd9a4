import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `Examples/low-latency.yaml` planned on a host whose kernel sosplan sees
/// (the fixture snapshots have none): every kernel step it should make,
/// and a host that holds it afterwards but for the reboot.
@Suite struct LowLatencyExampleTests {
    static func example() throws -> HostLayout {
        let url = RepositoryPaths.examples.appendingPathComponent("low-latency.yaml")
        return try #require(LayoutDecoder.decode(try LayoutCorpus.bytes(url), file: "Examples/low-latency.yaml").layout)
    }

    @Test func itIsolatesTheFeedAndSetsEveryPowerClass() throws {
        let result = KernelTestHost.plan(try Self.example(), on: KernelTestHost.snapshot())
        let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
        let feed = try #require(plan.placement.service("market-feed")).cpus
        #expect(feed.count == 4)
        #expect(plan.steps(.irqAffinity).first?.after.entries.allSatisfy { $0.1 == .string(plan.placement.host.cpus.description) } == true)
        #expect(plan.steps(.irqbalanceBan).first?.after["bannedCPUs"] == .string(feed.description))
        #expect(plan.steps(.cpuidleSet).first?.target == .cpus(feed))
        #expect(plan.steps(.kernelCommandLine).first?.after["arguments"]
            == .string("nohz_full=\(feed) rcu_nocbs=\(feed) isolcpus=managed_irq,domain,\(feed)"))
        let owners = plan.steps(.cpufreqSet).compactMap { $0.reason?.components(separatedBy: ":").first }
        #expect(owners.sorted() == ["service batch", "service market-feed", "unassigned"])
        let (_, again) = KernelTestHost.converge(try Self.example(), KernelTestHost.snapshot())
        #expect(again.map(\.action) == [.kernelCommandLine])
    }
}
