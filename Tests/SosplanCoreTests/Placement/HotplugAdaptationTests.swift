import Testing
import SosplanTestSupport
@testable import SosplanCore

/// How a placement adapts when CPUs go offline and come back (issue 12's
/// adaptation rules), each row: apply a layout, change the hardware, re-plan.
@Suite struct HotplugAdaptationTests {
    /// 2 nodes × 8 cores × 2 threads: node 0 is CPUs 0-7,16-23, node 1 is 8-15,24-31.
    let base = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)
    let threads = LayoutPolicy(topology: .none, smt: .threads)

    func layout(
        _ services: [ServiceSpec], enclaves: [EnclaveSpec] = [], policy: LayoutPolicy, hostCPUs: Int = 2
    ) -> HostLayout {
        HostLayout(
            file: "t.yaml", metadata: LayoutMetadata(name: "t"), policy: policy,
            host: HostReservation(cpus: .count(CPURequest(count: hostCPUs))), enclaves: enclaves, services: services)
    }

    func service(_ name: String, _ request: CPURequest, priority: Int = 0) -> ServiceSpec {
        ServiceSpec(name: name, units: ["\(name).service"], cpus: .count(request), priority: priority)
    }

    /// Plans and simulates the apply: the host as it is after `sosplan apply`.
    func applied(_ l: HostLayout, on snapshot: HostSnapshot) throws -> (Plan, HostSnapshot) {
        let r = Planner(layout: l, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        let plan = try #require(r.plan, "\(r.diagnostics)")
        return (plan, PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: snapshot))
    }

    func setting(_ cpus: CPUSet, online: Bool, in snapshot: HostSnapshot) -> HostSnapshot {
        var s = snapshot
        for i in s.topology.cpus.indices where cpus.contains(s.topology.cpus[i].id) { s.topology.cpus[i].online = online }
        s.refreshFingerprint()
        return s
    }

    func nodes(_ cpus: CPUSet) -> CPUSet { TopologyIndex(base.topology).nodes(of: cpus) }

    @Test func aLostCPUIsReplacedFromTheSharedPoolOnTheSameNode() throws {
        let l = layout([service("web", CPURequest(count: 4)), ServiceSpec(name: "batch", exec: ["/bin/batch"], cpus: .shared)], policy: threads)
        let (before, host) = try applied(l, on: base)
        let web = before.placement.service("web")!.cpus
        let lost = web.max()!
        let (after, _) = try applied(l, on: setting(CPUSet([lost]), online: false, in: host))
        let now = after.placement.service("web")!.cpus
        #expect(now.count == 4)
        #expect(!now.contains(lost))
        #expect(web.subtracting(CPUSet([lost])).isSubset(of: now), "the CPUs web still has do not move")
        #expect(nodes(now.subtracting(web)) == nodes(CPUSet([lost])), "the replacement comes from the lost CPU's node")
        #expect(after.placement.host.cpus == before.placement.host.cpus, "the host keeps its CPUs")
    }

    @Test func withoutSpareCPUsTheLowestPriorityShrinksTowardItsMin() throws {
        // 2 + 14 + 16 = 32: nothing spare.
        let l = layout([
            service("hi", CPURequest(count: 14), priority: 10),
            service("lo", CPURequest(count: 16, min: 8), priority: 0),
        ], policy: threads)
        let (before, host) = try applied(l, on: base)
        let hi = before.placement.service("hi")!.cpus, lo = before.placement.service("lo")!.cpus
        let lost = CPUSet(hi.prefix(2))
        let (after, shrunk) = try applied(l, on: setting(lost, online: false, in: host))
        #expect(after.placement.service("hi")!.cpus.count == 14, "the higher priority keeps its count")
        #expect(hi.subtracting(lost).isSubset(of: after.placement.service("hi")!.cpus))
        #expect(after.placement.service("lo")!.cpus.count == 14, "the lower priority gives up what was lost")
        #expect(after.placement.service("lo")!.cpus.isSubset(of: lo))
        #expect(after.placement.host.cpus == before.placement.host.cpus)
        #expect(after.notes.contains { $0.contains("service 'lo' shrinks from 16 to 14 CPUs") })

        // The CPUs return: lo grows back; hi, whose CPUs never left, does not move.
        let (back, _) = try applied(l, on: setting(lost, online: true, in: shrunk))
        #expect(back.placement.service("hi")!.cpus == after.placement.service("hi")!.cpus)
        #expect(back.placement.service("lo")!.cpus.count == 16)
        #expect(after.placement.service("lo")!.cpus.isSubset(of: back.placement.service("lo")!.cpus))
    }

    @Test func growthBeyondCountGoesFirstAndComesBackLast() throws {
        // 30 CPUs for 20 + 4: the 6 spare go to b (max 10).
        let l = layout([
            service("a", CPURequest(count: 20, min: 10), priority: 1),
            service("b", CPURequest(count: 4, max: 10), priority: 5),
        ], policy: threads)
        let (before, host) = try applied(l, on: base)
        #expect(before.placement.service("a")!.cpus.count == 20 && before.placement.service("b")!.cpus.count == 10)
        let lost = CPUSet(before.placement.service("a")!.cpus.prefix(8))
        let (after, shrunk) = try applied(l, on: setting(lost, online: false, in: host))
        // 22 CPUs left: b falls back to its count before a goes below its own.
        #expect(after.placement.service("b")!.cpus.count == 4)
        #expect(after.placement.service("a")!.cpus.count == 18)
        #expect(after.placement.service("b")!.cpus.isSubset(of: before.placement.service("b")!.cpus))

        let (back, _) = try applied(l, on: setting(lost, online: true, in: shrunk))
        #expect(back.placement.service("a")!.cpus.count == 20, "owners below their count grow back first")
        #expect(back.placement.service("b")!.cpus.count == 10, "then owners with a max")
    }

    @Test func aServiceWhoseEveryCPUIsLostRunsOnHostCPUsNeverOnNone() throws {
        let l = layout([service("web", CPURequest(count: 2, min: 0)), service("db", CPURequest(count: 28))], policy: threads)
        let (before, host) = try applied(l, on: base)
        let web = before.placement.service("web")!.cpus
        let (after, _) = try applied(l, on: setting(web, online: false, in: host))
        let now = try #require(after.placement.service("web"))
        #expect(!now.cpus.isEmpty, "an empty AllowedCPUs would let cgroup v2 fall back to every CPU")
        #expect(now.shared)
        #expect(now.cpus.isDisjoint(with: after.placement.service("db")!.cpus))
        #expect(after.placement.service("db")!.cpus == before.placement.service("db")!.cpus)
    }

    @Test func offlineCPUsAnEnclaveOwnsAreNotLostHardware() throws {
        let l = layout(
            [service("web", CPURequest(count: 4))],
            enclaves: [EnclaveSpec(name: "k", driver: .pisces, cpus: .count(CPURequest(count: 4)), memory: [MemoryRequest(size: .gib(1))])],
            policy: threads)
        let (before, host) = try applied(l, on: base)
        let enclave = before.placement.enclave("k")!.cpus
        #expect(host.topology.onlineCPUs.isDisjoint(with: enclave), "Pisces' CPUs are offline to Linux")
        let r = Planner(layout: l, snapshot: host, capabilities: EnclaveCapabilities.known).plan()
        let again = try #require(r.plan)
        #expect(again.steps.isEmpty, "\(PlanFormatter.text(again))")
        #expect(again.placement.enclave("k")!.cpus == enclave)
    }

    @Test func anEnclaveThatCannotShrinkLiveIsKeptUnderDeferAndRecreatedUnderAllow() throws {
        // McKernel cannot change CPUs while booted; losing a CPU of the
        // high-priority service leaves 30 CPUs where 32 are asked.
        func layoutWith(_ disruption: LayoutPolicy.Disruption) -> HostLayout {
            layout(
                [service("hi", CPURequest(count: 22, min: 18), priority: 10)],
                enclaves: [EnclaveSpec(name: "lwk", driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 8, min: 4)), memory: [MemoryRequest(size: .gib(1))], priority: 0)],
                policy: LayoutPolicy(topology: .none, smt: .threads, disruption: disruption))
        }
        let (before, host) = try applied(layoutWith(.defer), on: base)
        let lwk = before.placement.enclave("lwk")!.cpus
        let lost = CPUSet(before.placement.service("hi")!.cpus.prefix(2))
        let lostHost = setting(lost, online: false, in: host)

        let deferred = try #require(Planner(layout: layoutWith(.defer), snapshot: lostHost, capabilities: EnclaveCapabilities.known).plan().plan)
        #expect(deferred.placement.enclave("lwk")!.cpus == lwk, "kept as it is")
        #expect(!deferred.steps.contains { $0.target == .enclave(.named("lwk")) })
        #expect(deferred.notes.contains { $0.contains("enclave 'lwk' is kept as it is") })
        #expect(deferred.placement.service("hi")!.cpus.count == 20, "the service shrinks around the kept enclave")

        let allowed = try #require(Planner(layout: layoutWith(.allow), snapshot: lostHost, capabilities: EnclaveCapabilities.known).plan().plan)
        #expect(allowed.placement.enclave("lwk")!.cpus.count == 6)
        #expect(allowed.placement.service("hi")!.cpus.count == 22)
        #expect(allowed.steps.contains { $0.target == .enclave(.named("lwk")) && $0.disruption == .recreate }, "\(PlanFormatter.text(allowed))")
    }
}

/// What `show` marks: lost and returned CPUs, enclave applications.
@Suite struct HotplugMarksTests {
    @Test func lostAndReturnedCPUsAreToldApartFromEnclaveCPUs() {
        let base = SyntheticHost.snapshot(packages: 1, coresPerNode: 8)
        var applied = base
        applied.topology.cpus[3].online = false  // offline, no owner, at the last apply
        applied.topology.cpus[5].online = false
        applied.topology.cpus[5].owner = "enclave:k"
        var now = base
        now.topology.cpus[2].online = false  // lost since
        now.topology.cpus[5].online = false
        now.topology.cpus[5].owner = "enclave:k"  // an enclave's CPU is not lost
        var ownership = CPUOwnership.observed(now)
        ownership.markHotplug(since: applied, now: now)
        #expect(ownership.lost == CPUSet([2]))
        #expect(ownership.returned == CPUSet([3]))
    }

    @Test func applicationsAreTheServicesInsideEachEnclave() throws {
        let host = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)
        let layout = HostLayout(
            file: "t.yaml", metadata: LayoutMetadata(name: "t"), policy: LayoutPolicy(topology: .none, smt: .threads),
            host: HostReservation(cpus: .count(CPURequest(count: 2))),
            enclaves: [EnclaveSpec(name: "lwk", driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 8)), memory: [MemoryRequest(size: .gib(1))])],
            services: [
                ServiceSpec(name: "solver", stack: .enclave("lwk"), exec: ["/bin/solver"], cpus: .count(CPURequest(count: 6))),
                ServiceSpec(name: "web", units: ["web.service"], cpus: .count(CPURequest(count: 2))),
            ])
        let plan = try #require(Planner(layout: layout, snapshot: host, capabilities: EnclaveCapabilities.known).plan().plan)
        let apps = CPUOwnership.applications(of: plan.placement)
        #expect(apps.map(\.service) == ["solver"])
        #expect(apps.first?.enclave == "lwk")
        #expect(apps.first?.cpus.count == 6)
        #expect(apps.first.map { $0.cpus.isSubset(of: plan.placement.enclave("lwk")!.cpus) } == true)
    }
}
