import Testing
import SosplanTestSupport
@testable import SosplanCore

@Suite struct PlannerBasicsTests {
    let twoSocket = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)

    func layout(_ services: [ServiceSpec] = [], enclaves: [EnclaveSpec] = [], policy: LayoutPolicy = LayoutPolicy(), host: HostReservation = HostReservation(cpus: .count(CPURequest(count: 2)))) -> HostLayout {
        HostLayout(file: "t.yaml", metadata: LayoutMetadata(name: "t"), policy: policy, host: host, enclaves: enclaves, services: services)
    }

    func plan(_ l: HostLayout, _ s: HostSnapshot) -> Planner.Result {
        Planner(layout: l, snapshot: s, capabilities: EnclaveCapabilities.known).plan()
    }

    @Test func placesHostEnclaveAndServicesWithoutOverlap() throws {
        let l = layout(
            [ServiceSpec(name: "web", units: ["nginx.service"], cpus: .count(CPURequest(count: 4, numa: [0])))],
            enclaves: [EnclaveSpec(name: "lwk0", driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 8, numa: [1])), memory: [MemoryRequest(size: .gib(8), numa: 1)])])
        let r = plan(l, twoSocket)
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        let p = try #require(r.plan).placement
        let host = p.host.cpus, web = p.service("web")!.cpus, lwk = p.enclave("lwk0")!.cpus
        #expect(host.count == 2 && web.count == 4 && lwk.count == 8)
        #expect(host.isDisjoint(with: web) && host.isDisjoint(with: lwk) && web.isDisjoint(with: lwk))
        #expect(p.shared.cpus == CPUSet(0..<32).subtracting(host).subtracting(web).subtracting(lwk))
        // Whole cores: CPU c and c+16 are siblings.
        for cpu in lwk { #expect(lwk.contains(cpu < 16 ? cpu + 16 : cpu - 16)) }
        #expect(TopologyIndex(twoSocket.topology).nodes(of: lwk) == CPUSet([1]))
        #expect(p.enclave("lwk0")!.memory == [MemoryChunk(node: 1, bytes: 8 << 30)])
    }

    @Test func convergesAfterSimulatedExecution() throws {
        let l = layout(
            [ServiceSpec(name: "web", units: ["nginx.service"], cpus: .count(CPURequest(count: 4))),
             ServiceSpec(name: "batch", exec: ["/usr/bin/batch"], cpus: .shared)],
            enclaves: [EnclaveSpec(name: "lwk0", driver: .pisces, cpus: .count(CPURequest(count: 8)), memory: [MemoryRequest(size: .gib(4))])])
        let first = try #require(plan(l, twoSocket).plan)
        #expect(first.changes)
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(first, to: twoSocket)
        let second = try #require(plan(l, after).plan)
        #expect(second.steps.isEmpty, "\(PlanFormatter.text(second))")
        #expect(second.placement == first.placement)
    }

    /// The Pisces tools offline the CPUs they hand over and refuse one that
    /// is offline already (research cokernels-upstream.md §7.2): no
    /// `cpu.offline` step, the create itself waits for Linux to let go.
    @Test func piscesTakesItsCPUsOnceLinuxReleasesThemWithoutAnOfflineStep() throws {
        let l = layout(enclaves: [EnclaveSpec(name: "k", driver: .pisces, cpus: .count(CPURequest(count: 4)), memory: [MemoryRequest(size: .gib(1))])])
        let p = try #require(plan(l, twoSocket).plan)
        let ids = Dictionary(uniqueKeysWithValues: p.steps.map { ($0.action, $0.id) })
        #expect(!p.steps.contains { $0.action == .cpuOffline || $0.action == .cpuOnline }, "\(PlanFormatter.text(p))")
        let create = p.steps.first { $0.action == .enclaveCreate }!
        #expect(create.dependsOn.contains(ids[.hostConfine]!))
    }

    @Test func doesNotFitReportsTheNodeAndAmount() throws {
        let l = layout(enclaves: [EnclaveSpec(name: "big", driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 20, numa: [1])), memory: [MemoryRequest(size: .gib(1))])])
        let r = plan(l, twoSocket)
        #expect(r.plan == nil)
        #expect(r.diagnostics.count == 1)
        #expect(r.diagnostics[0].message.contains("on NUMA node(s) 1"))
        #expect(r.diagnostics[0].message.contains("4 CPUs missing"))
    }

    @Test func oddCountUnderWholeCoresIsRefused() {
        let r = plan(layout([ServiceSpec(name: "x", units: ["x.service"], cpus: .count(CPURequest(count: 3)))]), twoSocket)
        #expect(r.diagnostics.map(\.message) == ["service 'x' asks for 3 CPUs, which whole cores of 2 threads cannot make up (policy.smt: whole-cores)"])
    }

    @Test func coKernelPoolCPUsAreNotLinuxs() throws {
        var host = twoSocket
        let pool = CPUSet([14, 15, 30, 31])
        for i in host.topology.cpus.indices where pool.contains(host.topology.cpus[i].id) { host.topology.cpus[i].online = false }
        host.enclavePools = [EnclavePool(driver: .mckernel, cpus: pool, memory: [])]
        host.refreshFingerprint()
        let l = layout([ServiceSpec(name: "batch", exec: ["/usr/bin/batch"], cpus: .shared)])
        let p = try #require(plan(l, host).plan)
        #expect(p.placement.shared.cpus.isDisjoint(with: pool))
        #expect(p.placement.host.cpus.isDisjoint(with: pool))
        #expect(p.notes.contains { $0.hasPrefix("mckernel holds CPUs 14-15,30-31 reserved for no enclave") })
        // A new McKernel enclave takes them first (already reserved: no churn).
        let e = layout(enclaves: [EnclaveSpec(name: "lwk", driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 4)), memory: [MemoryRequest(size: .gib(1))])])
        #expect(try #require(plan(e, host).plan).placement.enclave("lwk")?.cpus == pool)
    }
}
