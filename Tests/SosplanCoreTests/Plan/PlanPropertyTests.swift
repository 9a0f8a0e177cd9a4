import Testing
import SosplanTestSupport
@testable import SosplanCore

/// Property-based tests: random layouts on hosts of different shapes.
@Suite struct PlanPropertyTests {
    static let hosts: [(String, HostSnapshot)] = [
        ("2s-8c-2t", SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)),
        ("1n-16c-2t", SyntheticHost.snapshot(packages: 1, coresPerNode: 16, threadsPerCore: 2)),
        ("4n-4c-1t", SyntheticHost.snapshot(packages: 4, coresPerNode: 4)),
        ("8n-2c-2t", SyntheticHost.snapshot(packages: 2, nodesPerPackage: 4, coresPerNode: 2, threadsPerCore: 2)),
        ("64n-2c-2t", SyntheticHost.snapshot(packages: 32, nodesPerPackage: 2, coresPerNode: 2, threadsPerCore: 2)),
    ] + FixtureSnapshots.all()

    static let caps = EnclaveCapabilities.known

    func plan(_ l: HostLayout, _ s: HostSnapshot) -> Planner.Result { Planner(layout: l, snapshot: s, capabilities: Self.caps).plan() }

    @Test(arguments: 0..<hosts.count)
    func invariantsAndConvergence(host: Int) {
        let (name, snapshot) = Self.hosts[host]
        var gen = RandomLayouts(seed: 1000 + UInt64(host))
        var planned = 0
        for case_ in 0..<60 {
            let layout = gen.layout(for: snapshot, name: "case\(case_)")
            let r = plan(layout, snapshot)
            let violations = PlanInvariants.check(r, layout: layout, snapshot: snapshot)
            #expect(violations.isEmpty, "\(name) case \(case_): \(violations)")
            guard let first = r.plan else {
                #expect(r.diagnostics.hasErrors, "\(name) case \(case_): no plan and no error")
                continue
            }
            planned += 1
            let after = PlanSimulator(capabilities: Self.caps).apply(first, to: snapshot)
            let again = plan(layout, after)
            #expect(again.plan?.steps.isEmpty == true,
                    "\(name) case \(case_) does not converge:\n\(again.plan.map(PlanFormatter.text) ?? DiagnosticFormatter.text(again.diagnostics))")
            #expect(PlanInvariants.check(again, layout: layout, snapshot: after).isEmpty)
        }
        #expect(planned >= 20, "\(name): only \(planned) of 60 random layouts could be planned")
    }

    @Test(arguments: 0..<hosts.count)
    func changingOneServiceMovesNoOtherOwner(host: Int) {
        let (name, snapshot) = Self.hosts[host]
        var gen = RandomLayouts(seed: 2000 + UInt64(host))
        for case_ in 0..<40 {
            let layout = gen.layout(for: snapshot, name: "case\(case_)")
            guard let first = plan(layout, snapshot).plan else { continue }
            let applied = PlanSimulator(capabilities: Self.caps).apply(first, to: snapshot)
            guard let i = layout.services.firstIndex(where: { $0.stack == .linux && $0.isExclusive && $0.cpus.explicitCPUs == nil }) else { continue }
            var changed = layout
            let step = layout.policy.smt == .wholeCores ? TopologyIndex(snapshot.topology).maxThreadsPerCore : 1
            let old = layout.services[i].cpus
            let newCount = old.nominal > step && gen.rng.chance(0.5) ? old.nominal - step : old.nominal + step
            changed.services[i].cpus = .count(CPURequest(count: newCount, numa: old.numaNodes, min: min(old.minimum, newCount), max: max(old.maximum, newCount)))
            guard let second = plan(changed, applied).plan else { continue }
            let before = owners(first.placement, layout), after = owners(second.placement, changed)
            for (owner, cpus) in before where owner != "service \(layout.services[i].name)" {
                guard let now = after[owner] else { continue }
                #expect(now.isSubset(of: cpus) || cpus.isSubset(of: now),
                        "\(name) case \(case_): changing \(layout.services[i].name) moved \(owner) from \(cpus) to \(now)")
            }
        }
    }

    func owners(_ p: Placement, _ l: HostLayout) -> [String: CPUSet] {
        var out = ["host": p.host.cpus]
        for e in p.enclaves { out["enclave \(e.name)"] = e.value.cpus }
        for s in l.services where s.stack == .linux && s.isExclusive { out["service \(s.name)"] = p.service(s.name)!.cpus }
        return out
    }
}
