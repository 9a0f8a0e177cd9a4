import Testing
import SosplanTestSupport
@testable import SosplanCore

/// Side by side with the kubelet's packed allocator on the same requests and
/// the same free CPUs: sosplan never spans more NUMA nodes nor splits more
/// cores.
@Suite struct KubeletComparisonTests {
    static let hosts: [(String, HostSnapshot)] = [
        ("2s-8c-2t", SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)),
        ("2s-2n-6c-2t", SyntheticHost.snapshot(packages: 2, nodesPerPackage: 2, coresPerNode: 6, threadsPerCore: 2, llcPerNode: 2)),
        ("8s-4c-1t", SyntheticHost.snapshot(packages: 8, coresPerNode: 4)),
        ("4s-4n-8c-4t", SyntheticHost.snapshot(packages: 4, nodesPerPackage: 4, coresPerNode: 8, threadsPerCore: 4)),
    ]

    static func splits(_ cpus: CPUSet, _ index: TopologyIndex) -> Int { index.splitCores(cpus) }

    /// Both allocators on one host: the kubelet model, and sosplan's node
    /// choice followed by its packed allocation within the chosen nodes.
    struct Sides {
        let index: TopologyIndex
        let all: CPUSet
        let kubelet: KubeletPackedModel
        let allocator: PackedAllocator

        init(_ snapshot: HostSnapshot) {
            index = TopologyIndex(snapshot.topology)
            all = snapshot.topology.onlineCPUs
            kubelet = KubeletPackedModel(index: index)
            allocator = PackedAllocator(index: index, universe: all)
        }

        func place(_ n: Int, free: CPUSet, policy: LayoutPolicy.Topology, wholeCores: Bool) -> CPUSet? {
            let selector = NodeSelector(allocator: allocator)
            guard case .success(let choice) = selector.choose(
                n, policy: policy, free: free, candidates: index.nodeIDs, keep: CPUSet(), wholeCores: wholeCores)
            else { return nil }
            let within = free.intersection(choice.nodes.reduce(CPUSet()) { $0.union(index.nodeCPUs[$1]!) })
            return allocator.allocate(n, from: within, wholeCores: wholeCores)
        }
    }

    @Test(arguments: 0..<hosts.count)
    func neverWorseThanKubelet(host: Int) {
        let side = Sides(Self.hosts[host].1)
        let (name, index, all, kubelet) = (Self.hosts[host].0, side.index, side.all, side.kubelet)
        var rng = SeededRandom(seed: 0x5eed + UInt64(host))
        for case_ in 0..<150 {
            // A host already partly allocated: whole cores and single threads taken at random.
            var free = all
            for core in index.cores {
                if rng.chance(0.25) { free.subtract(core.threads) } else if rng.chance(0.2), let t = core.threads.last { free.remove(t) }
            }
            guard free.count > 1 else { continue }
            let n = rng.int(1...free.count)
            let theirs = kubelet.allocate(n, available: free)
            guard let ours = side.place(n, free: free, policy: .bestEffort, wholeCores: false)
            else {
                Issue.record("\(name) case \(case_): sosplan failed to place \(n) of \(free.count) free CPUs \(free)")
                continue
            }
            #expect(ours.count == n)
            guard let theirs else { continue }
            #expect(index.nodes(of: ours).count <= index.nodes(of: theirs).count,
                    "\(name) case \(case_): n=\(n) free=\(free) ours=\(ours) kubelet=\(theirs)")
            #expect(Self.splits(ours, index) <= Self.splits(theirs, index),
                    "\(name) case \(case_): n=\(n) free=\(free) ours=\(ours) kubelet=\(theirs)")
        }
    }

    /// With the Topology Manager's restricted policy on both sides.
    @Test(arguments: 0..<hosts.count)
    func restrictedNeverWorseThanKubelet(host: Int) {
        let side = Sides(Self.hosts[host].1)
        let (name, index, all, kubelet) = (Self.hosts[host].0, side.index, side.all, side.kubelet)
        var rng = SeededRandom(seed: 0xbee + UInt64(host))
        for case_ in 0..<100 {
            var free = all
            for core in index.cores where rng.chance(0.3) { free.subtract(rng.chance(0.5) ? core.threads : CPUSet([core.threads.first!])) }
            guard free.count > 1 else { continue }
            let n = rng.int(1...free.count)
            let hint = kubelet.restrictedHint(n, available: free)
            let choice = side.place(n, free: free, policy: .restricted, wholeCores: false)
            guard let hint, let theirs = kubelet.allocate(n, available: free, hint: hint) else {
                // The kubelet rejects; sosplan must reject as well (same minimal node count).
                if choice != nil { Issue.record("\(name) case \(case_): kubelet rejects \(n) of \(free) but sosplan accepts") }
                continue
            }
            guard let ours = choice
            else {
                Issue.record("\(name) case \(case_): sosplan rejects \(n) of \(free), kubelet placed \(theirs)")
                continue
            }
            #expect(index.nodes(of: ours).count <= index.nodes(of: theirs).count, "\(name) case \(case_): n=\(n) free=\(free)")
            #expect(Self.splits(ours, index) <= Self.splits(theirs, index), "\(name) case \(case_): n=\(n) free=\(free) ours=\(ours) kubelet=\(theirs)")
        }
    }

    /// Whole cores on both sides (the kubelet's full-pcpus-only): no split
    /// cores at all, and never more NUMA nodes.
    @Test(arguments: 0..<hosts.count)
    func wholeCoresNeverSpanMoreNodes(host: Int) {
        let side = Sides(Self.hosts[host].1)
        let (name, index, all, kubelet, allocator) = (Self.hosts[host].0, side.index, side.all, side.kubelet, side.allocator)
        let t = index.maxThreadsPerCore
        var rng = SeededRandom(seed: 0xc0de + UInt64(host))
        for case_ in 0..<100 {
            var free = all
            for core in index.cores where rng.chance(0.35) { free.subtract(core.threads) }
            let wholeFree = allocator.wholeCoreCPUs(free).count
            guard wholeFree >= t else { continue }
            let n = rng.int(1...(wholeFree / t)) * t
            guard let theirs = kubelet.allocate(n, available: allocator.wholeCoreCPUs(free)) else { continue }
            guard let ours = side.place(n, free: free, policy: .bestEffort, wholeCores: true)
            else {
                Issue.record("\(name) case \(case_): sosplan failed \(n) whole-core CPUs of \(free)")
                continue
            }
            #expect(Self.splits(ours, index) == 0)
            #expect(index.nodes(of: ours).count <= index.nodes(of: theirs).count, "\(name) case \(case_): n=\(n) free=\(free) ours=\(ours) kubelet=\(theirs)")
        }
    }
}
