import Testing
import SosplanTestSupport
@testable import SosplanCore

/// Minimal churn when a service's count changes: a grown service keeps every
/// CPU it has (warm caches, pinned threads) and gains nearby ones (its cores'
/// free siblings, then its nodes); a shrunk one keeps a subset; nobody else
/// moves. It moves only when the policy cannot hold its CPUs.
@Suite struct ResizeChurnTests {
    static let twoSocket = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)
    static let smt4 = SyntheticHost.snapshot(packages: 4, nodesPerPackage: 4, coresPerNode: 8, threadsPerCore: 4)

    static func layout(_ cpus: [CPUAmount], topology: LayoutPolicy.Topology = .bestEffort) -> HostLayout {
        HostLayout(
            file: "t.yaml", metadata: LayoutMetadata(name: "t"), policy: LayoutPolicy(topology: topology, smt: .threads),
            host: HostReservation(cpus: .count(CPURequest(count: 2))),
            services: cpus.enumerated().map { i, c in ServiceSpec(name: "svc\(i)", units: ["svc\(i).service"], cpus: c) })
    }

    static func counts(_ n: [Int]) -> [CPUAmount] { n.map { .count(CPURequest(count: $0)) } }

    /// Plans `before`, applies it, plans `after` on the result: each
    /// service's CPUs before and after, and what the applied host left free.
    static func replan(_ before: HostLayout, _ after: HostLayout, on host: HostSnapshot) throws
        -> (old: [CPUSet], new: [CPUSet], free: CPUSet, plan: Plan)
    {
        let known = EnclaveCapabilities.known
        let first = try #require(Planner(layout: before, snapshot: host, capabilities: known).plan().plan)
        let applied = PlanSimulator(capabilities: known).apply(first, to: host)
        let second = try #require(Planner(layout: after, snapshot: applied, capabilities: known).plan().plan)
        let names = after.services.map(\.name)
        let old = names.map { first.placement.service($0)?.cpus ?? CPUSet() }
        let new = names.map { second.placement.service($0)?.cpus ?? CPUSet() }
        let held = old.reduce(first.placement.host.cpus) { $0.union($1) }
        return (old, new, host.topology.onlineCPUs.subtracting(held), second)
    }

    /// The benchmark's case: 5 services on 2 × 8 cores × 2 threads, the
    /// 3-CPU one grows to 5 while its node has fewer than 2 CPUs free.
    @Test func grownServiceKeepsItsCPUsWhenItsNodeIsFull() throws {
        let sizes = [2, 3, 4, 1, 6]
        var more = sizes
        more[1] = 5
        let r = try Self.replan(Self.layout(Self.counts(sizes)), Self.layout(Self.counts(more)), on: Self.twoSocket)
        let index = TopologyIndex(Self.twoSocket.topology)
        #expect(r.old[1].isSubset(of: r.new[1]), "svc1 \(r.old[1]) → \(r.new[1])")
        #expect(r.new[1].count == 5)
        for i in r.old.indices where i != 1 { #expect(r.new[i] == r.old[i], "svc\(i) must not move") }
        // What was free next to it is taken first: its cores' siblings, then its node.
        let added = r.new[1].subtracting(r.old[1])
        let siblings = r.old[1].reduce(CPUSet()) { $0.union(index.core(of: $1)!.threads) }.intersection(r.free)
        let onItsNode = index.nodes(of: r.old[1]).reduce(CPUSet()) { $0.union(index.nodeCPUs[$1]!) }.intersection(r.free)
        #expect(siblings.isSubset(of: added))
        #expect(added.intersection(onItsNode).count == min(added.count, onItsNode.count), "added \(added), free on its node \(onItsNode)")
    }

    /// Three threads of a 4-thread core growing to 5: the fourth thread
    /// (free) joins, then one more CPU on the same node.
    @Test func grownServiceTakesItsFreeSiblingFirst() throws {
        let index = TopologyIndex(Self.smt4.topology)
        let core = try #require(index.core(of: 73))
        let three = CPUSet(core.threads.sorted().dropFirst())
        let r = try Self.replan(
            Self.layout([.count(CPURequest(count: 4)), .list(three)]),
            Self.layout([.count(CPURequest(count: 4)), .count(CPURequest(count: 5))]), on: Self.smt4)
        #expect(r.old[1] == three)
        #expect(three.isSubset(of: r.new[1]) && r.new[1].count == 5, "\(three) → \(r.new[1])")
        #expect(core.threads.isSubset(of: r.new[1]), "the free sibling \(core.threads.subtracting(three)) comes first")
        #expect(index.nodes(of: r.new[1]) == CPUSet([core.node]))
        #expect(r.new[0] == r.old[0])
    }

    @Test func shrunkServiceKeepsASubset() throws {
        let r = try Self.replan(Self.layout(Self.counts([2, 6, 4])), Self.layout(Self.counts([2, 3, 4])), on: Self.twoSocket)
        #expect(r.new[1].count == 3)
        #expect(r.new[1].isSubset(of: r.old[1]), "svc1 \(r.old[1]) → \(r.new[1])")
        #expect(r.new[0] == r.old[0] && r.new[2] == r.old[2])
    }

    /// A service new in the re-plan is placed as on a fresh host: the
    /// grown one's keeping changes nothing for it.
    @Test func freshPlacementIsUnchanged() throws {
        let before = Self.layout(Self.counts([2, 3]))
        let after = Self.layout(Self.counts([2, 5, 4]))
        let r = try Self.replan(before, after, on: Self.twoSocket)
        #expect(r.old[1].isSubset(of: r.new[1]))
        // The same layout with svc1 placed at its final CPUs as a list: svc2 lands in the same spot.
        let pinned = Self.layout([.count(CPURequest(count: 2)), .list(r.new[1]), .count(CPURequest(count: 4))])
        let known = EnclaveCapabilities.known
        let first = try #require(Planner(layout: before, snapshot: Self.twoSocket, capabilities: known).plan().plan)
        let applied = PlanSimulator(capabilities: known).apply(first, to: Self.twoSocket)
        let reference = try #require(Planner(layout: pinned, snapshot: applied, capabilities: known).plan().plan)
        #expect(reference.placement.service("svc2")?.cpus == r.new[2])
    }

    /// single-numa-node and restricted (one node holds 6 CPUs): a service
    /// whose node cannot hold its new count moves whole to a node that can
    /// (keeping would break the policy).
    @Test(arguments: [LayoutPolicy.Topology.singleNUMANode, .restricted])
    func policyMovesWhenItsNodeCannotHoldTheGrowth(topology: LayoutPolicy.Topology) throws {
        let index = TopologyIndex(Self.twoSocket.topology)
        let node0 = index.nodeCPUs[0]!
        // svc0 fills node 0 but for 4 CPUs; svc1 holds 3 of them.
        let before = Self.layout([.count(CPURequest(count: 10, numa: [0])), .count(CPURequest(count: 3, numa: [0]))], topology: topology)
        let after = Self.layout([.count(CPURequest(count: 10, numa: [0])), .count(CPURequest(count: 6))], topology: topology)
        let r = try Self.replan(before, after, on: Self.twoSocket)
        #expect(r.old[1].isSubset(of: node0))
        #expect(r.new[1].count == 6 && index.nodes(of: r.new[1]).count == 1, "\(r.new[1])")
        #expect(r.new[1].isDisjoint(with: node0), "node 0 has \(r.free.intersection(node0).count) free CPUs, not 3")
        // Best effort, the same change keeps its CPUs and spans two nodes.
        let keep = try Self.replan(
            Self.layout([.count(CPURequest(count: 10, numa: [0])), .count(CPURequest(count: 3, numa: [0]))]),
            Self.layout([.count(CPURequest(count: 10, numa: [0])), .count(CPURequest(count: 6))]), on: Self.twoSocket)
        #expect(keep.old[1].isSubset(of: keep.new[1]), "\(keep.old[1]) → \(keep.new[1])")
    }
}
