import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply
@testable import SosplanReact

/// One reconcile pass on the in-memory host, and the status a `--metrics`
/// run writes after it.
@Suite struct ReconcilePassTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: pass}
        spec:
          host: {confine: false}
          services:
            - name: web
              units: [nginx.service]
              cpus: {count: 2, numa: 0}
            - name: batch
              exec: [/bin/sleep, infinity]
              cpus: {count: 2, numa: 1}

        """

    @Test func aHotplugPassWithMetricsObservesTheHostOnce() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        let first = react.pass.run(trigger: nil)
        #expect(first.record.result == .converged)
        let web = try #require(first.report?.plan?.placement.service("web")).cpus
        try react.memory.takeOffline(web)

        let observed = react.host.observations
        let pass = react.pass.run(trigger: nil)
        #expect(pass.record.trigger == "hotplug" && pass.record.result == .converged, "\(pass.record) \(react.log.map(\.text))")
        #expect(pass.report?.completed.map(\.action) == [.sliceUpdate])
        let status = try StatusCheck.run(host: react.host, state: react.memory.state, settled: pass.settled)
        #expect(react.host.observations == observed + 1, "the pass and its status observed \(react.host.observations - observed) times")
        #expect(status.state == .inSync && status.drift.isEmpty, "\(status.drift)")
        #expect(status.onlineCPUs == CPUSet(0..<16).subtracting(web))
    }

    @Test func theStatusAfterAPassIsTheStatusOfAFreshLook() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        let pass = react.pass.run(trigger: "layout")
        let settled = try StatusCheck.run(host: react.host, state: react.memory.state, settled: pass.settled)
        let observed = react.host.observations
        let fresh = try StatusCheck.run(host: react.host, state: react.memory.state)
        #expect(react.host.observations == observed + 1, "without what the pass saw, the status observes")
        #expect(settled.jsonValue() == fresh.jsonValue())
    }

    @Test func aPassThatChangesNothingObservesOnceAndPlansNothingMore() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        _ = react.pass.run(trigger: nil)
        let observed = react.host.observations
        let again = react.pass.run(trigger: nil)
        #expect(again.record.result == .noChanges && again.record.trigger == "check", "\(again.record)")
        #expect(again.settled?.replanned.isEmpty == true)
        _ = try StatusCheck.run(host: react.host, state: react.memory.state, settled: again.settled)
        #expect(react.host.observations == observed + 1)
    }

    @Test func aLayoutThatStopsValidatingChangesNothing() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        _ = react.pass.run(trigger: nil)
        let calls = react.memory.systemd.mutatingCallCount
        try "apiVersion: sosplan/v1\nkind: HostLayout\nspec: {services: [{name: 5}]}\n"
            .write(toFile: react.layoutPath, atomically: true, encoding: .utf8)
        let outcome = react.pass.run(trigger: nil)
        #expect(outcome.record.result == .invalidLayout && outcome.exitCode == 1)
        #expect(outcome.settled == nil, "no status is taken from a pass that applied another layout")
        #expect(react.memory.systemd.mutatingCallCount == calls)
        #expect(react.log.contains { $0.priority == .error && $0.text.contains("the last applied layout stays in force") })
    }
}
