/// Chooses the NUMA nodes an owner's CPUs come from, per `policy.topology`:
/// the fewest nodes that can hold the request, near each other (SLIT), best
/// fit first. Works by pruning (a greedy grow from each seed node plus the
/// largest-capacity set), never by enumerating subsets, so 64-node hosts are
/// as cheap as 2-node ones.
struct NodeSelector {
    let allocator: PackedAllocator
    var index: TopologyIndex { allocator.index }
    /// Assignable CPUs per node (what a node could give if all were free).
    private let nodeSizes: [Int: Int]

    /// Per node position: the words of its cores' assignable CPUs (word
    /// index, bit mask), so a node's free CPUs are a few word operations.
    private let nodeWords: [[(word: Int, mask: UInt64)]]
    /// Each node's capacity from the last call, reused while the node's
    /// free CPUs are the same (one owner's placement changes one or two
    /// nodes; without this, placing n owners on a host of n CPUs is O(n²)).
    private let memo: CapacityMemo

    init(allocator: PackedAllocator) {
        self.allocator = allocator
        var sizes: [Int: Int] = [:]
        for cpu in allocator.universe where cpu < allocator.index.nodeOf.count && allocator.index.nodeOf[cpu] >= 0 {
            sizes[allocator.index.nodeOf[cpu], default: 0] += 1
        }
        nodeSizes = sizes
        let index = allocator.index
        var masks = [[Int: UInt64]](repeating: [:], count: index.nodeIDs.count)
        for cpu in allocator.universe {
            guard let i = index.coreIndex(cpu) else { continue }
            let node = allocator.coreNode[i]
            guard node >= 0, node < index.nodePosition.count, index.nodePosition[node] >= 0 else { continue }
            masks[index.nodePosition[node]][cpu >> 6, default: 0] |= 1 << UInt64(cpu & 63)
        }
        nodeWords = masks.map { $0.sorted { $0.key < $1.key }.map { (word: $0.key, mask: $0.value) } }
        memo = CapacityMemo(nodes: index.nodeIDs.count, cores: index.cores.count)
    }

    private final class CapacityMemo {
        var key: [[UInt64]?]
        var free: [Int]
        var whole: [Int]
        /// Scratch: free threads per core (zero between uses).
        var freeThreads: [Int]

        init(nodes: Int, cores: Int) {
            key = Array(repeating: nil, count: nodes)
            free = Array(repeating: 0, count: nodes)
            whole = Array(repeating: 0, count: nodes)
            freeThreads = Array(repeating: 0, count: cores)
        }
    }

    struct Choice: Equatable {
        var nodes: [Int]
    }

    /// Why no node set works: per node, how many CPUs it could give.
    struct Shortfall: Error, Equatable {
        var needed: Int
        var nodesAllowed: Int
        var capacity: [(node: Int, free: Int)]

        static func == (a: Shortfall, b: Shortfall) -> Bool {
            a.needed == b.needed && a.nodesAllowed == b.nodesAllowed
                && a.capacity.map(\.node) == b.capacity.map(\.node) && a.capacity.map(\.free) == b.capacity.map(\.free)
        }
    }

    /// Free CPUs per candidate node, and how many of them sit in whole free
    /// cores; a node whose free CPUs did not change since the last call is
    /// not counted again.
    func capacities(free: CPUSet, candidates: [Int]) -> (free: [Int: Int], whole: [Int: Int]) {
        let positions = index.nodeIDs.count
        var caps = [Int](repeating: 0, count: positions), whole = caps
        var wanted = [Bool](repeating: false, count: positions)
        for node in candidates where node < index.nodePosition.count && index.nodePosition[node] >= 0 {
            wanted[index.nodePosition[node]] = true
        }
        let words = free.rawWords
        for position in 0..<positions where wanted[position] {
            let masks = nodeWords[position]
            var same = memo.key[position]?.count == masks.count
            if same, let key = memo.key[position] {
                for (k, m) in masks.enumerated() where (m.word < words.count ? words[m.word] & m.mask : 0) != key[k] {
                    same = false
                    break
                }
            }
            if !same {
                // Free assignable threads per core of this node, then per node:
                // all of them, and those in cores with every thread free.
                var key: [UInt64] = [], touched: [Int] = []
                var f = 0, w = 0
                for m in masks {
                    let bits = m.word < words.count ? words[m.word] & m.mask : 0
                    key.append(bits)
                    var rest = bits
                    while rest != 0 {
                        let cpu = m.word << 6 + rest.trailingZeroBitCount
                        rest &= rest - 1
                        let i = index.coreIndex(cpu)!
                        if memo.freeThreads[i] == 0 { touched.append(i) }
                        memo.freeThreads[i] += 1
                    }
                }
                for i in touched {
                    let n = memo.freeThreads[i]
                    f += n
                    if n == allocator.assignableCount[i] { w += n }
                    memo.freeThreads[i] = 0
                }
                memo.key[position] = key
                memo.free[position] = f
                memo.whole[position] = w
            }
            caps[position] = memo.free[position]
            whole[position] = memo.whole[position]
        }
        var freeOut: [Int: Int] = [:], wholeOut: [Int: Int] = [:]
        for node in candidates {
            let p = node < index.nodePosition.count ? index.nodePosition[node] : -1
            freeOut[node] = p >= 0 ? caps[p] : 0
            wholeOut[node] = p >= 0 ? whole[p] : 0
        }
        return (freeOut, wholeOut)
    }

    /// Cores an allocation of `n` must split when `wholeCPUs` CPUs sit in
    /// whole free cores: each thread beyond them, or one for an odd remainder.
    func splitEstimate(_ n: Int, wholeCPUs: Int) -> Int {
        let threads = max(index.maxThreadsPerCore, 1)
        return n > wholeCPUs ? n - wholeCPUs : (n % threads == 0 ? 0 : 1)
    }

    /// Fewest nodes whose *total* assignable CPUs could hold `n` (what the
    /// request's size needs, independent of other owners).
    func nodesNeeded(_ n: Int, among nodes: [Int]) -> Int {
        let sizes = nodes.map { nodeSizes[$0] ?? 0 }.sorted(by: >)
        var sum = 0
        for (k, size) in sizes.enumerated() {
            sum += size
            if sum >= n { return k + 1 }
        }
        return max(1, sizes.count)
    }

    /// `requiring`: nodes the set must contain (an owner growing keeps its CPUs).
    func choose(
        _ n: Int, policy: LayoutPolicy.Topology, free: CPUSet, candidates: [Int], keep: CPUSet, wholeCores: Bool,
        requiring: CPUSet = CPUSet()
    ) -> Result<Choice, Shortfall> {
        // Per node: free CPUs, and those in whole free cores (no split needed).
        let (freeCaps, whole) = capacities(free: free, candidates: candidates)
        let caps = wholeCores ? whole : freeCaps
        let keepNodes = Set(index.nodes(of: keep))
        if policy == .none {
            let total = caps.values.reduce(0, +)
            guard total >= n else { return .failure(shortfall(n, candidates.count, caps)) }
            return .success(Choice(nodes: candidates.sorted { (keepNodes.contains($0) ? 0 : 1, $0) < (keepNodes.contains($1) ? 0 : 1, $1) }))
        }
        let required = Set(requiring)
        let sizeNeeded = nodesNeeded(n, among: candidates)
        if (policy == .restricted || policy == .singleNUMANode) && required.count > sizeNeeded {
            return .failure(shortfall(n, sizeNeeded, caps))
        }
        let kMin = max(sizeNeeded, required.count)
        let kMax: Int
        switch policy {
        case .singleNUMANode: kMax = 1
        case .restricted: kMax = kMin
        default: kMax = candidates.count
        }
        if policy == .singleNUMANode && kMin > 1 {
            return .failure(shortfall(n, 1, caps))
        }
        // Best effort may take more nodes when that avoids splitting cores
        // (threads mode): the fewest splits first, then the fewest nodes.
        let floor = splitEstimate(n, wholeCPUs: whole.values.reduce(0, +))
        var best: (set: [Int], splits: Int)?
        for k in kMin...max(kMin, kMax) {
            guard let set = bestSet(size: k, n: n, caps: caps, whole: whole, keepNodes: keepNodes, required: required) else { continue }
            let splits = splitEstimate(n, wholeCPUs: set.reduce(0) { $0 + whole[$1]! })
            if best == nil || splits < best!.splits { best = (set, splits) }
            if splits <= floor { break }
        }
        guard let best else { return .failure(shortfall(n, kMax, caps)) }
        return .success(Choice(nodes: best.set))
    }

    private func shortfall(_ n: Int, _ allowed: Int, _ caps: [Int: Int]) -> Shortfall {
        Shortfall(needed: n, nodesAllowed: allowed, capacity: caps.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The best node set of exactly `size` nodes with capacity for `n`:
    /// grown greedily from each seed by distance, plus the largest nodes.
    /// Preference: holds the owner's current nodes, then compact (small
    /// total distance), then best fit (least capacity left over), then ids.
    private func bestSet(size: Int, n: Int, caps: [Int: Int], whole: [Int: Int], keepNodes: Set<Int>, required: Set<Int>) -> [Int]? {
        let nodes = caps.keys.sorted()
        guard size <= nodes.count else { return nil }
        if size == 1 {
            // One node: no set to grow, just the best single node.
            let feasible = nodes.filter { caps[$0]! >= n && required.isSubset(of: [$0]) }
            return feasible.min { a, b in
                let ka = (keepNodes.contains(a) ? 0 : 1, splitEstimate(n, wholeCPUs: whole[a]!), caps[a]! - n, a)
                let kb = (keepNodes.contains(b) ? 0 : 1, splitEstimate(n, wholeCPUs: whole[b]!), caps[b]! - n, b)
                return ka < kb
            }.map { [$0] }
        }
        var candidates: [[Int]] = []
        let byCapacity = nodes.sorted { (caps[$0]!, -$0) > (caps[$1]!, -$1) }
        candidates.append(Array(byCapacity.prefix(size)))
        let byWhole = nodes.sorted { (whole[$0]!, caps[$0]!, -$0) > (whole[$1]!, caps[$1]!, -$1) }
        candidates.append(Array(byWhole.prefix(size)))
        for seed in nodes where caps[seed]! > 0 {
            var set = [seed]
            // Seeds from the owner's nodes pull in its other nodes first.
            // Keys computed once per seed: the sort compares plain tuples.
            let others = nodes.filter { $0 != seed }
                .map { (keepNodes.contains($0) ? 0 : 1, index.distance(seed, $0), -caps[$0]!, $0) }
                .sorted { $0 < $1 }.map(\.3)
            var total = caps[seed]!
            for other in others where set.count < size && caps[other]! > 0 {
                set.append(other)
                total += caps[other]!
            }
            if set.count == size && total >= n { candidates.append(set) }
            // The seed with the roomiest others: feasible whenever any set holding the seed is.
            let roomiest = [seed] + byCapacity.filter { $0 != seed }.prefix(size - 1)
            if roomiest.count == size { candidates.append(roomiest) }
        }
        func score(_ set: [Int]) -> (Int, Int, Int, Int) {
            let kept = set.filter(keepNodes.contains).count
            var distance = 0
            for a in set { for b in set where a < b { distance += index.distance(a, b) } }
            let leftover = set.reduce(0) { $0 + caps[$1]! } - n
            let splits = splitEstimate(n, wholeCPUs: set.reduce(0) { $0 + whole[$1]! })
            return (-kept, splits, distance, leftover)
        }
        let feasible = candidates.filter { $0.reduce(0) { $0 + caps[$1]! } >= n && required.isSubset(of: $0) }
        guard let best = feasible.min(by: { a, b in
            let sa = score(a), sb = score(b)
            return sa != sb ? sa < sb : a.sorted().lexicographicallyPrecedes(b.sorted())
        }) else { return nil }
        // Allocation order: the owner's nodes, then fullest-first (best fit).
        return best.sorted { (keepNodes.contains($0) ? 0 : 1, caps[$0]!, $0) < (keepNodes.contains($1) ? 0 : 1, caps[$1]!, $1) }
    }
}
