import SosplanTestSupport
import Testing

@testable import SosplanCore

/// Services run in an enclave through its launcher (mcexec, yod,
/// pisces_run), whose job holds the enclave: a running yod keeps its LWK
/// CPUs in `lwkcpus_reserved` and `lwkctl -d` refuses (mos `lwkctl.c`
/// `__lwkctl_delete`); mcexec holds /dev/mcosN and `ihkconfig destroy`
/// returns EBUSY (ihk `host_driver.c:1767-1771`). So the plan stops them
/// before their enclave is destroyed and starts them once it is back.
@Suite struct EnclaveLauncherOrderTests {
    var host: HostSnapshot {
        var s = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)
        s.systemd = SystemdState(units: [])
        return s
    }

    func layout(_ driver: EnclaveDriverKind, cpus: Int, withService: Bool = true) -> HostLayout {
        HostLayout(
            file: "t.yaml", metadata: LayoutMetadata(name: "t"),
            policy: LayoutPolicy(topology: .none, smt: .threads, disruption: .allow),
            host: HostReservation(cpus: .count(CPURequest(count: 2))),
            enclaves: [
                EnclaveSpec(
                    name: "lwk", driver: driver, args: driver == .mckernel ? "hidos" : nil,
                    cpus: .count(CPURequest(count: cpus, numa: [1])), memory: [MemoryRequest(size: .gib(1), numa: 1)])
            ],
            services: withService ? [ServiceSpec(name: "solver", stack: .enclave("lwk"), exec: ["/opt/solver"], cpus: .count(CPURequest(count: 2)))] : [])
    }

    /// The plan of `next` on the host as `first` left it (every step carried out).
    func replan(_ first: HostLayout, then next: HostLayout) throws -> Plan {
        let planner = { (l: HostLayout, s: HostSnapshot) in Planner(layout: l, snapshot: s, capabilities: EnclaveCapabilities.known).plan() }
        let initial = try #require(planner(first, host).plan)
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(initial, to: host)
        #expect(after.systemd?.units.contains { $0.name == "sosplan-solver.service" } == true)
        return try #require(planner(next, after).plan)
    }

    func step(_ plan: Plan, _ action: StepAction, _ target: String) throws -> Step {
        try #require(plan.steps.first { $0.action == action && $0.target.description == target }, "\(PlanFormatter.text(plan))")
    }

    @Test(arguments: [EnclaveDriverKind.mos, .mckernel, .pisces])
    func aRecreatedEnclavesServicesStopBeforeItGoesAndStartAfter(_ driver: EnclaveDriverKind) throws {
        // Growing mOS or McKernel is a recreate; so is shrinking Pisces.
        let (from, to) = driver == .pisces ? (6, 4) : (4, 6)
        let plan = try replan(layout(driver, cpus: from), then: layout(driver, cpus: to))
        let stop = try step(plan, .unitRemove, "sosplan-solver.service")
        let destroy = try step(plan, .enclaveDestroy, "enclave:lwk")
        let create = try step(plan, .enclaveCreate, "enclave:lwk")
        let start = try step(plan, .unitCreate, "sosplan-solver.service")
        #expect(destroy.dependsOn.contains(stop.id), "\(PlanFormatter.text(plan))")
        #expect(start.dependsOn.contains(create.id) && start.dependsOn.contains(stop.id))
        let order = plan.steps.map(\.id)
        #expect(order.firstIndex(of: stop.id)! < order.firstIndex(of: destroy.id)!)
        #expect(!plan.steps.contains { $0.action == .unitUpdate })
    }

    /// A Pisces job cannot be stopped (no tool ends it; it lives until its
    /// enclave goes), so a live grow does not relaunch it.
    @Test func aLiveGrowLeavesAPiscesJobAlone() throws {
        let plan = try replan(layout(.pisces, cpus: 4), then: layout(.pisces, cpus: 6))
        #expect(plan.steps.contains { $0.action == .enclaveGrow })
        #expect(!plan.steps.contains { $0.target == .unit("sosplan-solver.service") }, "\(PlanFormatter.text(plan))")
    }

    @Test func aRemovedEnclavesLauncherGoesFirst() throws {
        var gone = layout(.mos, cpus: 4, withService: false)
        gone.enclaves = []
        let plan = try replan(layout(.mos, cpus: 4), then: gone)
        let stop = try step(plan, .unitRemove, "sosplan-solver.service")
        let destroy = try #require(plan.steps.first { $0.action == .enclaveDestroy }, "\(PlanFormatter.text(plan))")
        #expect(destroy.dependsOn.contains(stop.id), "\(PlanFormatter.text(plan))")
    }
}
