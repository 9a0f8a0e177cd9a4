import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// The kubelet's restart on the in-memory host: its unit in systemd, its
/// configuration and CPU manager state under the scratch root. A layout
/// that moves `kubepods.slice` under `disruption: allow` stops the kubelet,
/// removes its state, changes the slice and starts it again, each step
/// journalled; a fault anywhere puts the old CPUs and the old state file
/// back and the kubelet running again. (The lab proves the same against a
/// real systemd and a kubelet stand-in that checks its state file.)
@Suite struct EngineKubeletTests {
    static func layout(cpus: Int, disruption: String = "allow") -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: engine}
        spec:
          policy: {disruption: \(disruption)}
          services:
            - {name: pods, existingSlice: kubepods.slice, cpus: {count: \(cpus), numa: 1}}
        """
    }

    static let stateText = #"{"policyName":"static","defaultCpuSet":"0-3,5-15","entries":{"uid-1":{"main":"4"}},"checksum":1}"#

    /// The in-memory host with a running kubelet whose static CPU manager
    /// knows every CPU, and kubepods.slice already on 4 CPUs of node 1.
    static func kubeletHost() throws -> EngineHost {
        let host = try EngineHost()
        host.memory.kubelet = KubeletFiles(root: host.root.path)
        host.systemd.addVendorUnit("kubelet.service")
        try ScratchDirectory.write("kind: KubeletConfiguration\ncpuManagerPolicy: static\n", to: "var/lib/kubelet/config.yaml", in: host.root)
        try host.apply(layout(cpus: 4, disruption: "defer"))
        try ScratchDirectory.write(stateText, to: "var/lib/kubelet/cpu_manager_state", in: host.root)
        return host
    }

    var statePath: String { "var/lib/kubelet/cpu_manager_state" }

    func state(_ host: EngineHost) -> Data? { FileManager.default.contents(atPath: host.root.appendingPathComponent(statePath).path) }

    @Test func allowStopsRemovesChangesAndStartsInThatOrder() throws {
        let host = try Self.kubeletHost()
        defer { host.remove() }
        let before = try #require(try host.snapshot().systemd?.unit("kubepods.slice")?.allowedCPUs)
        #expect(before.count == 4)
        let report = try host.apply(Self.layout(cpus: 6))
        #expect(report.outcome == .converged, "\(report.failure ?? "")")
        #expect(report.completed.map(\.action) == [.kubeletStop, .kubeletClearCPUState, .sliceUpdate, .kubeletStart])
        let calls = host.systemd.calls
        let stop = try #require(calls.firstIndex(of: "stop kubelet.service"))
        let start = try #require(calls.lastIndex(of: "start kubelet.service"))
        #expect(calls[stop...start].contains("reload"), "the slice changes while the kubelet is stopped: \(calls)")
        #expect(state(host) == nil, "the state file is gone; the kubelet writes a new one")
        let after = try host.snapshot()
        #expect(after.systemd?.unit("kubelet.service")?.activeState == "active")
        #expect(after.systemd?.unit("kubepods.slice")?.allowedCPUs?.count == 6)
        #expect(try host.plan(Self.layout(cpus: 6)).steps.isEmpty)
    }

    @Test func aFailedKubeletStartPutsTheOldCPUsAndStateBack() throws {
        let host = try Self.kubeletHost()
        defer { host.remove() }
        let before = try host.snapshot()
        let bytes = try #require(state(host))
        host.systemd.fail(.start, unit: "kubelet.service")
        let report = try host.apply(Self.layout(cpus: 6))
        #expect(report.outcome == .rolledBack && report.exitCode == 1, "\(report.left)")
        #expect(report.failedStep?.action == .kubeletStart)
        #expect(report.undone.map(\.action) == [.kubeletStart, .sliceUpdate, .kubeletClearCPUState, .kubeletStop])
        #expect(state(host) == bytes, "the state file is back byte for byte")
        let after = try host.snapshot()
        #expect(after.systemd?.unit("kubelet.service")?.activeState == "active")
        #expect(after.systemd?.unit("kubepods.slice")?.allowedCPUs == before.systemd?.unit("kubepods.slice")?.allowedCPUs)
        #expect(SnapshotDifference.between(before, after).map(\.description) == [])
    }

    @Test func aFailedSliceChangeAfterTheStateIsGoneRollsBackToo() throws {
        let host = try Self.kubeletHost()
        defer { host.remove() }
        let bytes = try #require(state(host))
        host.systemd.fail(.reload)
        let report = try host.apply(Self.layout(cpus: 6))
        #expect(report.outcome == .rolledBack, "\(report.failure ?? "") \(report.left) \(report.undoFailures)")
        #expect(report.failedStep?.action == .sliceUpdate)
        #expect(state(host) == bytes)
        #expect(try host.snapshot().systemd?.unit("kubelet.service")?.activeState == "active")
    }

    @Test func aKillAfterTheStateIsRemovedIsRolledBackFromTheJournal() throws {
        let host = try Self.kubeletHost()
        defer { host.remove() }
        let before = try host.snapshot()
        let bytes = try #require(state(host))
        try host.apply(Self.layout(cpus: 6), crash: CrashPoint(when: .after, step: 2))
        #expect(state(host) == nil)
        #expect(try host.snapshot().systemd?.unit("kubelet.service")?.activeState == "inactive")
        let report = try host.reconciler().rollBackInterruptedApply()
        #expect(report.outcome == .restored && report.exitCode == 0, "\(report.left)")
        #expect(state(host) == bytes)
        #expect(SnapshotDifference.between(before, try host.snapshot()).map(\.description) == [])
    }

    @Test func deferKeepsTheKubeletAndItsSliceAsTheyAre() throws {
        let host = try Self.kubeletHost()
        defer { host.remove() }
        let calls = host.systemd.mutatingCallCount
        let report = try host.apply(Self.layout(cpus: 6, disruption: "defer"))
        #expect(report.outcome == .noChanges, "\(report.plan?.steps.map(\.action) ?? [])")
        #expect(report.plan?.notes.contains { $0.contains("keeps kubepods.slice on CPUs") } == true)
        #expect(host.systemd.mutatingCallCount == calls)
        #expect(state(host) != nil)
    }
}
