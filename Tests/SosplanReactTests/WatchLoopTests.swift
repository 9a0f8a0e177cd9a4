import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply
@testable import SosplanReact

/// The watcher on the in-memory host: a burst of hotplug events is one
/// pass, the changes its own steps cause are not re-planned, lost events
/// lead to a full pass. Settling times are cut to tens of milliseconds.
@Suite struct WatchLoopTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: watch}
        spec:
          host: {confine: false}
          enclaves:
            - name: kit
              driver: pisces
              cpus: {count: 2, numa: 1}
              memory: [{size: 1Gi, numa: 1}]
          services:
            - name: web
              units: [nginx.service]
              cpus: {count: 2, numa: 0}

        """

    static var settings: WatchLoop.Settings {
        var s = WatchLoop.Settings()
        s.quiet = 0.05
        s.maxDelay = 0.5
        s.resync = 0
        return s
    }

    /// The CPUs of the web service as the first pass placed them.
    func webCPUs(_ watch: RunningWatch) throws -> CPUSet {
        let plan = try #require(watch.passes.first?.report?.plan)
        return try #require(plan.placement.service("web")).cpus
    }

    @Test func aBurstOfHotplugEventsIsOnePass() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        let watch = try RunningWatch(react, settings: Self.settings)
        #expect(watch.nextPass(), "the first pass")
        let web = try webCPUs(watch)
        try react.memory.takeOffline(web)
        for cpu in web { react.send(cpu: cpu, .offline) }
        #expect(watch.nextPass(), "a pass after the burst")
        usleep(300_000)
        #expect(watch.passes.count == 2, "one pass for the burst: \(watch.passes.map(\.record.trigger))")
        #expect(watch.passes.last?.record.trigger == "hotplug")
        #expect(watch.passes.last?.record.result == .converged)
        let moved = try #require(watch.passes.last?.report?.plan?.placement.service("web")).cpus
        #expect(moved.isDisjoint(with: web) && moved.count == 2, "web left its offline CPUs: \(web) -> \(moved)")
        #expect(watch.stop(react))
    }

    @Test func changesItsOwnStepsCauseAreNotReplanned() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        let watch = try RunningWatch(react, settings: Self.settings)
        #expect(watch.nextPass())
        // The first pass took the enclave's CPUs offline: the kernel says so now.
        let kit = try #require(watch.passes.first?.report?.plan?.placement.enclave("kit")).cpus
        for cpu in kit { react.send(cpu: cpu, .offline) }
        usleep(300_000)
        #expect(watch.passes.count == 1, "sosplan's own changes started a pass")
        #expect(react.log.filter { $0.text.contains("caused by sosplan's own step, not re-planned") }.count == kit.count)
        // A CPU going offline by itself is the machine's change.
        react.send(cpu: 3, .offline)
        #expect(watch.nextPass())
        #expect(watch.passes.count == 2 && watch.passes.last?.record.trigger == "hotplug")
        #expect(watch.stop(react))
    }

    @Test func aSeqnumGapLeadsToAFullPass() throws {
        let react = try ReactHost(layout: Self.layout)
        defer { react.remove() }
        let watch = try RunningWatch(react, settings: Self.settings)
        #expect(watch.nextPass())
        // Events of no interest, numbered 500 and 505: four between them were lost.
        react.nudge(seqnum: 500)
        react.nudge(seqnum: 505)
        #expect(watch.nextPass())
        #expect(watch.passes.last?.record.trigger == "resync", "\(watch.passes.map(\.record.trigger))")
        #expect(watch.stop(react))
    }
}
