/// Chooses the NUMA nodes an owner's CPUs come from, per `policy.topology`:
/// the fewest nodes that can hold the request, near each other (SLIT), best
/// fit first. Works by pruning (a greedy grow from each seed node plus the
/// largest-capacity set), never by enumerating subsets, so 64-node hosts are
/// as cheap as 2-node ones.
struct NodeSelector {
    let allocator: PackedAllocator
    var index: TopologyIndex { allocator.index }
    /// Assignable CPUs per node position (what a node could give if all were free).
    let nodeSizes: [Int]
    /// Nodes with CPUs that can be assigned (the candidates of an owner
    /// without `numa`), in id order.
    let usableNodes: [Int]

    /// Per node position: the words of its cores' assignable CPUs (word
    /// index, bit mask), so a node's free CPUs are a few word operations;
    /// flat, node p's at `wordStart[p]..<wordStart[p + 1]`.
    let wordIndex: [Int]
    let wordMask: [UInt64]
    let wordStart: [Int]
    /// Each node's capacity from the last call, reused while the node's
    /// free CPUs are the same (one owner's placement changes one or two
    /// nodes; without this, placing n owners on a host of n CPUs is O(n²)).
    let memo: NodeCapacityMemo

    init(allocator: PackedAllocator) {
        self.allocator = allocator
        let index = allocator.index
        var sizes = [Int](repeating: 0, count: index.nodeIDs.count)
        for cpu in allocator.universe where cpu < index.nodeOf.count && index.nodeOf[cpu] >= 0 {
            sizes[index.nodePosition[index.nodeOf[cpu]]] += 1
        }
        nodeSizes = sizes
        var masks = [[Int: UInt64]](repeating: [:], count: index.nodeIDs.count)
        for cpu in allocator.universe {
            guard let i = index.coreIndex(cpu) else { continue }
            let node = allocator.coreNode[i]
            guard node >= 0, node < index.nodePosition.count, index.nodePosition[node] >= 0 else { continue }
            masks[index.nodePosition[node]][cpu >> 6, default: 0] |= 1 << UInt64(cpu & 63)
        }
        var wordIndex: [Int] = [], wordMask: [UInt64] = [], wordStart = [0]
        for node in masks {
            for (word, mask) in node.sorted(by: { $0.key < $1.key }) {
                wordIndex.append(word)
                wordMask.append(mask)
            }
            wordStart.append(wordIndex.count)
        }
        self.wordIndex = wordIndex
        self.wordMask = wordMask
        self.wordStart = wordStart
        memo = NodeCapacityMemo(nodes: index.nodeIDs.count, cores: index.cores.count, words: wordIndex.count)
        usableNodes = index.nodeIDs.filter { !(index.nodeCPUs[$0] ?? CPUSet()).isDisjoint(with: allocator.universe) }
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

    /// Cores an allocation of `n` must split when `wholeCPUs` CPUs sit in
    /// whole free cores: each thread beyond them, or one for an odd remainder.
    func splitEstimate(_ n: Int, wholeCPUs: Int) -> Int {
        let threads = max(index.maxThreadsPerCore, 1)
        return n > wholeCPUs ? n - wholeCPUs : (n % threads == 0 ? 0 : 1)
    }

    /// Fewest nodes whose *total* assignable CPUs could hold `n` (what the
    /// request's size needs, independent of other owners).
    func nodesNeeded(_ n: Int, among nodes: [Int]) -> Int {
        nodesNeeded(n, sortedSizes: prepare(nodes).sortedSizes)
    }

    private func nodesNeeded(_ n: Int, sortedSizes sizes: [Int]) -> Int {
        var sum = 0
        for (k, size) in sizes.enumerated() {
            sum += size
            if sum >= n { return k + 1 }
        }
        return max(1, sizes.count)
    }

    /// `requiring`: nodes the set must contain (an owner growing keeps its CPUs).
    /// Node sets are worked out on node positions (plain arrays); positions
    /// follow node ids, so every order and tie-break is the same as by id.
    func choose(
        _ n: Int, policy: LayoutPolicy.Topology, free: CPUSet, candidates: [Int], keep: CPUSet, wholeCores: Bool,
        requiring: CPUSet = CPUSet()
    ) -> Result<Choice, Shortfall> {
        // Per node: free CPUs, and those in whole free cores (no split needed).
        let (nodes, sortedSizes) = prepare(candidates)
        refresh(free: free, positions: nodes)
        let whole = memo.whole
        let caps = wholeCores ? whole : memo.free
        let keepNodes = index.nodes(of: keep)
        if policy == .none {
            let total = nodes.reduce(0) { $0 + caps[$1] }
            guard total >= n else { return .failure(shortfall(n, candidates.count, nodes, caps)) }
            return .success(Choice(nodes: candidates.sorted { (keepNodes.contains($0) ? 0 : 1, $0) < (keepNodes.contains($1) ? 0 : 1, $1) }))
        }
        let sizeNeeded = nodesNeeded(n, sortedSizes: sortedSizes)
        if (policy == .restricted || policy == .singleNUMANode) && requiring.count > sizeNeeded {
            return .failure(shortfall(n, sizeNeeded, nodes, caps))
        }
        let kMin = max(sizeNeeded, requiring.count)
        let kMax: Int
        switch policy {
        case .singleNUMANode: kMax = 1
        case .restricted: kMax = kMin
        default: kMax = candidates.count
        }
        if policy == .singleNUMANode && kMin > 1 {
            return .failure(shortfall(n, 1, nodes, caps))
        }
        let sets = SetSearch(
            selector: self, n: n, nodes: nodes, caps: caps, whole: whole,
            keep: nodes.map { keepNodes.contains(index.nodeIDs[$0]) }, keepOf: keepNodes, required: requiring)
        // Best effort may take more nodes when that avoids splitting cores
        // (threads mode): the fewest splits first, then the fewest nodes.
        let floor = splitEstimate(n, wholeCPUs: nodes.reduce(0) { $0 + whole[$1] })
        var best: (set: [Int], splits: Int)?
        for k in kMin...max(kMin, kMax) {
            guard let set = sets.best(size: k) else { continue }
            let splits = splitEstimate(n, wholeCPUs: set.reduce(0) { $0 + whole[$1] })
            if best == nil || splits < best!.splits { best = (set, splits) }
            if splits <= floor { break }
        }
        guard let best else { return .failure(shortfall(n, kMax, nodes, caps)) }
        return .success(Choice(nodes: best.set.map { index.nodeIDs[$0] }))
    }

    private func shortfall(_ n: Int, _ allowed: Int, _ nodes: [Int], _ caps: [Int]) -> Shortfall {
        Shortfall(needed: n, nodesAllowed: allowed, capacity: nodes.map { (index.nodeIDs[$0], caps[$0]) })
    }

    /// The search for the best node set of one size, on node positions.
    private struct SetSearch {
        let selector: NodeSelector
        let n: Int
        /// Candidate node positions, ascending.
        let nodes: [Int]
        /// Per node position (read only at `nodes`).
        let caps: [Int]
        let whole: [Int]
        /// Per entry of `nodes`: one of the owner's current nodes.
        let keep: [Bool]
        let keepOf: CPUSet
        let required: CPUSet

        func isKept(_ p: Int) -> Bool { keepOf.contains(selector.index.nodeIDs[p]) }

        func holdsRequired(_ set: [Int]) -> Bool {
            if required.isEmpty { return true }
            return set.reduce(0) { $0 + (required.contains(selector.index.nodeIDs[$1]) ? 1 : 0) } == required.count
        }

        /// The best node set of exactly `size` nodes with capacity for `n`:
        /// grown greedily from each seed by distance, plus the largest nodes.
        /// Preference: holds the owner's current nodes, then compact (small
        /// total distance), then best fit (least capacity left over), then ids.
        func best(size: Int) -> [Int]? {
            guard size <= nodes.count else { return nil }
            let distance = selector.index.distanceMatrix
            if size == 1 {
                // One node: no set to grow, just the best single node.
                var best = -1
                var bestKey = (0, 0, 0, 0)
                for (k, p) in nodes.enumerated() where caps[p] >= n && holdsRequired([p]) {
                    let key = (keep[k] ? 0 : 1, selector.splitEstimate(n, wholeCPUs: whole[p]), caps[p] - n, p)
                    if best < 0 || key < bestKey { best = p; bestKey = key }
                }
                return best < 0 ? nil : [best]
            }
            var candidates: [[Int]] = []
            let byCapacity = nodes.sorted { (caps[$0], -$0) > (caps[$1], -$1) }
            candidates.append(Array(byCapacity.prefix(size)))
            let byWhole = nodes.sorted { (whole[$0], caps[$0], -$0) > (whole[$1], caps[$1], -$1) }
            candidates.append(Array(byWhole.prefix(size)))
            for seed in nodes where caps[seed] > 0 {
                var set = [seed]
                // Seeds from the owner's nodes pull in its other nodes first.
                // Keys computed once per seed: the sort compares plain tuples.
                let others = nodes.enumerated().filter { $0.element != seed }
                    .map { (keep[$0.offset] ? 0 : 1, distance[seed][$0.element], -caps[$0.element], $0.element) }
                    .sorted { $0 < $1 }.map(\.3)
                var total = caps[seed]
                for other in others where set.count < size && caps[other] > 0 {
                    set.append(other)
                    total += caps[other]
                }
                if set.count == size && total >= n { candidates.append(set) }
                // The seed with the roomiest others: feasible whenever any set holding the seed is.
                let roomiest = [seed] + byCapacity.filter { $0 != seed }.prefix(size - 1)
                if roomiest.count == size { candidates.append(roomiest) }
            }
            func score(_ set: [Int]) -> (Int, Int, Int, Int) {
                let kept = set.filter(isKept).count
                var d = 0
                for a in set { for b in set where a < b { d += distance[a][b] } }
                let leftover = set.reduce(0) { $0 + caps[$1] } - n
                let splits = selector.splitEstimate(n, wholeCPUs: set.reduce(0) { $0 + whole[$1] })
                return (-kept, splits, d, leftover)
            }
            let feasible = candidates.filter { $0.reduce(0) { $0 + caps[$1] } >= n && holdsRequired($0) }
            guard let best = feasible.min(by: { a, b in
                let sa = score(a), sb = score(b)
                return sa != sb ? sa < sb : a.sorted().lexicographicallyPrecedes(b.sorted())
            }) else { return nil }
            // Allocation order: the owner's nodes, then fullest-first (best fit).
            return best.sorted { (isKept($0) ? 0 : 1, caps[$0], $0) < (isKept($1) ? 0 : 1, caps[$1], $1) }
        }
    }
}
