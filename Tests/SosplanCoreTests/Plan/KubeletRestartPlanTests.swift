import Foundation
import SosplanTestSupport
import Testing
@testable import SosplanCore

/// Plans on a node whose kubelet runs the static CPU manager: a change of
/// `kubepods.slice`'s CPUs, or of the online CPUs its state file lists, is
/// said in the plan; with `disruption: allow` the kubelet's documented
/// procedure wraps the plan (stop, remove the state, the changes, start),
/// with `defer` the slice keeps its CPUs and the plan says why.
@Suite struct KubeletRestartPlanTests {
    static func layout(disruption: String, podsCPUs: Int = 12, enclave: Bool = false) throws -> HostLayout {
        let text = """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: converged}
            spec:
              policy: {disruption: \(disruption)}
              host: {cpus: 2, confine: true}
            \(enclave ? "  enclaves:\n    - {name: lwk0, driver: mckernel, cpus: {count: 4, numa: 0}, memory: [{size: 1Gi, numa: 0}]}\n" : "")\
              services:
                - {name: slurmd, units: [slurmd.service], cpus: {count: 4, numa: 0}}
                - {name: pods, existingSlice: kubepods.slice, cpus: {count: \(podsCPUs), numa: 1}}
            """
        let decoded = LayoutDecoder.decode(text, file: "converged.yaml")
        return try #require(decoded.layout, "\(decoded.diagnostics)")
    }

    /// 32 CPUs on 2 nodes; kubepods.slice on `slice` (nil: not confined),
    /// the kubelet running, its static state listing every online CPU.
    static func host(slice: CPUSet?, staticState: Bool = true) -> HostSnapshot {
        var s = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2, memoryPerNode: 32 << 30)
        var units: [SystemdUnit] = []
        for name in ["system.slice", "user.slice", "init.scope"] {
            var u = SystemdUnit(name: name)
            u.loadState = "loaded"
            u.activeState = "active"
            units.append(u)
        }
        var slurmd = SystemdUnit(name: "slurmd.service")
        slurmd.loadState = "loaded"
        slurmd.activeState = "active"
        slurmd.slice = "system.slice"
        var pods = SystemdUnit(name: "kubepods.slice", managed: slice != nil)
        pods.loadState = "loaded"
        pods.activeState = "active"
        pods.allowedCPUs = slice
        pods.allowedMemoryNodes = slice.map { _ in CPUSet([1]) }
        var kubelet = SystemdUnit(name: "kubelet.service")
        kubelet.loadState = "loaded"
        kubelet.activeState = "active"
        kubelet.slice = "system.slice"
        s.systemd = SystemdState(units: units + [slurmd, pods, kubelet])
        s.kubelet = KubeletObservation(
            configFile: "/var/lib/kubelet/config.yaml", configuration: KubeletConfiguration(cpuManagerPolicy: staticState ? "static" : "none"),
            cpuManagerState: .init(
                file: "/var/lib/kubelet/cpu_manager_state", policyName: staticState ? "static" : "none", cpus: s.topology.onlineCPUs))
        s.refreshFingerprint()
        return s
    }

    static func plan(_ layout: HostLayout, _ snapshot: HostSnapshot) throws -> Plan {
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        return try #require(result.plan, "\(result.diagnostics)")
    }

    /// Six CPUs of node 1 (ids 8-10 and their siblings 24-26).
    static let sixOnNode1 = CPUSet([8, 9, 10, 24, 25, 26])

    @Test func allowWrapsThePlanInTheKubeletsRestart() throws {
        let plan = try Self.plan(try Self.layout(disruption: "allow"), Self.host(slice: Self.sixOnNode1))
        let actions = plan.steps.map(\.action)
        #expect(actions.first == .kubeletStop)
        #expect(actions.dropFirst().first == .kubeletClearCPUState)
        #expect(actions.last == .kubeletStart)
        #expect(plan.steps.first?.target == .unit("kubelet.service"))
        #expect(plan.steps[1].target == .file("/var/lib/kubelet/cpu_manager_state"))
        let slice = try #require(plan.steps.first { $0.target == .unit("kubepods.slice") })
        #expect(slice.disruption == .restart, "the kubelet slice's CPU change is labelled disruptive")
        let start = try #require(plan.steps.last)
        #expect(Set(start.dependsOn) == Set(plan.steps.dropLast().map(\.id)), "the kubelet starts after every other step")
        for step in plan.steps.dropFirst(2).dropLast() {
            #expect(step.dependsOn.contains(plan.steps[1].id), "\(step.id) waits for the state file's removal")
        }
        #expect(plan.notes.contains { $0.hasPrefix("drain the node first") })
        // reservedSystemCPUs is not set in the configuration: the plan names the value it needs.
        let pods = try #require(plan.placement.service("pods")?.cpus)
        let needed = Self.host(slice: nil).topology.onlineCPUs.subtracting(pods)
        #expect(plan.notes.contains { $0.contains("reservedSystemCPUs: \"\(needed)\"") }, "\(plan.notes)")
        #expect(PlanFormatter.text(plan).contains("kubelet.stop kubelet.service"))
    }

    @Test func deferKeepsTheSliceAndSaysWhy() throws {
        let plan = try Self.plan(try Self.layout(disruption: "defer"), Self.host(slice: Self.sixOnNode1))
        #expect(!plan.steps.contains { $0.action == .kubeletStop || $0.action == .kubeletClearCPUState || $0.action == .kubeletStart })
        #expect(!plan.steps.contains { $0.target == .unit("kubepods.slice") }, "\(plan.steps.map { "\($0.action.rawValue) \($0.target) \($0.after)" })")
        #expect(plan.placement.service("pods")?.cpus == Self.sixOnNode1)
        #expect(plan.notes.contains { $0.contains("keeps kubepods.slice on CPUs \(Self.sixOnNode1)") && $0.contains("policy.disruption: allow") })
    }

    @Test func deferLeavesAnUnconfinedSliceUnconfined() throws {
        let plan = try Self.plan(try Self.layout(disruption: "defer"), Self.host(slice: nil))
        #expect(!plan.steps.contains { $0.target == .unit("kubepods.slice") || $0.action == .kubeletStop })
        #expect(plan.notes.contains { $0.contains("kubepods.slice is left as it is") })
    }

    @Test func aSliceThatKeepsItsCPUsNeedsNoRestart() throws {
        let first = try Self.plan(try Self.layout(disruption: "allow", podsCPUs: 6), Self.host(slice: Self.sixOnNode1))
        #expect(!first.steps.contains { $0.action == .kubeletStop || $0.target == .unit("kubepods.slice") })
    }

    @Test func withoutAStaticCPUManagerTheSliceChangesLive() throws {
        let plan = try Self.plan(try Self.layout(disruption: "defer"), Self.host(slice: Self.sixOnNode1, staticState: false))
        let slice = try #require(plan.steps.first { $0.target == .unit("kubepods.slice") })
        #expect(slice.disruption == .live)
        #expect(!plan.steps.contains { $0.action == .kubeletStop })
    }

    /// An enclave takes CPUs offline: the state no longer matches the
    /// online CPUs even though the kubelet's slice keeps its CPUs.
    @Test func anEnclaveTakingCPUsOfflineRestartsTheKubeletUnderAllow() throws {
        let allow = try Self.plan(try Self.layout(disruption: "allow", podsCPUs: 6, enclave: true), Self.host(slice: Self.sixOnNode1))
        #expect(allow.steps.contains { $0.action == .enclaveCreate })
        #expect(allow.steps.first?.action == .kubeletStop && allow.steps.last?.action == .kubeletStart)
        let deferred = try Self.plan(try Self.layout(disruption: "defer", podsCPUs: 6, enclave: true), Self.host(slice: Self.sixOnNode1))
        #expect(deferred.steps.contains { $0.action == .enclaveCreate })
        #expect(!deferred.steps.contains { $0.action == .kubeletStop })
        #expect(deferred.notes.contains { $0.contains("will refuse to start again until /var/lib/kubelet/cpu_manager_state is removed") })
    }

    /// Simulated, the plan converges: the kubelet writes a fresh state for
    /// its new CPUs, and the next plan has nothing to do for it.
    @Test func theRestartConverges() throws {
        let layout = try Self.layout(disruption: "allow")
        let before = Self.host(slice: Self.sixOnNode1)
        let plan = try Self.plan(layout, before)
        var after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: before)
        #expect(after.kubelet?.cpuManagerState == nil)
        #expect(after.systemd?.unit("kubelet.service")?.activeState == "active")
        // Read first: HostSnapshot's properties are observed (they drop its kept JSON), so a write to one
        // may not overlap a read of another in the same statement.
        let online = after.topology.onlineCPUs
        after.kubelet?.cpuManagerState = .init(file: "/var/lib/kubelet/cpu_manager_state", policyName: "static", cpus: online)
        after.refreshFingerprint()
        let again = try Self.plan(layout, after)
        #expect(!again.steps.contains { $0.action == .kubeletStop || $0.target == .unit("kubepods.slice") }, "\(again.steps.map { "\($0.action.rawValue) \($0.target)" })")
    }

    @Test func kubeletStepsRoundTripThroughThePlanJSON() throws {
        let plan = try Self.plan(try Self.layout(disruption: "allow"), Self.host(slice: Self.sixOnNode1))
        let decoded = try Plan.decode(json: plan.jsonText())
        #expect(decoded.steps.map(\.target) == plan.steps.map(\.target))
        #expect(decoded.steps.map(\.action) == plan.steps.map(\.action))
        for bad in ["file:relative/cpu_manager_state", "file:/var/lib/../etc/passwd", "file:/a//b", "/var/lib/kubelet/cpu_manager_state"] {
            #expect(throws: StepTarget.ParseError.self) { try StepTarget.parse(bad, for: .kubeletClearCPUState) }
        }
    }
}
