/// How `NodeSelector` knows each node's free capacity without recounting it
/// for every owner: candidate lists and per-node counts are memoized and a
/// node is counted again only when its free CPUs changed.
extension NodeSelector {
    /// The candidates' node positions (ascending, each once) and their
    /// sizes sorted descending, reused while the list is the same.
    func prepare(_ candidates: [Int]) -> (positions: [Int], sortedSizes: [Int]) {
        if let last = memo.candidates, last == candidates { return (memo.positions, memo.sortedSizes) }
        var seen = [Bool](repeating: false, count: index.nodeIDs.count)
        var positions: [Int] = []
        var sizes: [Int] = []
        for node in candidates {
            let p = position(node)
            sizes.append(p >= 0 ? nodeSizes[p] : 0)
            if p >= 0 && !seen[p] { seen[p] = true; positions.append(p) }
        }
        positions.sort()
        sizes.sort(by: >)
        memo.candidates = candidates
        memo.positions = positions
        memo.sortedSizes = sizes
        return (positions, sizes)
    }

    @inline(__always) func position(_ node: Int) -> Int {
        node >= 0 && node < index.nodePosition.count ? index.nodePosition[node] : -1
    }

    /// Brings the memo's free CPUs per node (and those in whole free cores)
    /// up to date for `positions`; a node whose free CPUs did not change
    /// since the last call is not counted again.
    func refresh(free: CPUSet, positions: [Int]) {
        let words = free.rawWords
        // The memo's arrays are moved out while they change (no copy, no
        // access check per element) and put back at the end.
        var key = memo.key, known = memo.known, caps = memo.free, whole = memo.whole, threads = memo.freeThreads
        memo.key = []; memo.known = []; memo.free = []; memo.whole = []; memo.freeThreads = []
        defer { memo.key = key; memo.known = known; memo.free = caps; memo.whole = whole; memo.freeThreads = threads }
        var touched: [Int] = []
        for position in positions {
            let start = wordStart[position], end = wordStart[position + 1]
            if known[position] {
                var same = true
                for k in start..<end where (wordIndex[k] < words.count ? words[wordIndex[k]] & wordMask[k] : 0) != key[k] {
                    same = false
                    break
                }
                if same { continue }
            }
            // Free assignable threads per core of this node, then per node:
            // all of them, and those in cores with every thread free.
            touched.removeAll(keepingCapacity: true)
            var f = 0, w = 0
            for k in start..<end {
                let bits = wordIndex[k] < words.count ? words[wordIndex[k]] & wordMask[k] : 0
                key[k] = bits
                var rest = bits
                while rest != 0 {
                    let cpu = wordIndex[k] << 6 + rest.trailingZeroBitCount
                    rest &= rest - 1
                    let i = index.coreIndex(cpu)!
                    if threads[i] == 0 { touched.append(i) }
                    threads[i] += 1
                }
            }
            for i in touched {
                let n = threads[i]
                f += n
                if n == allocator.assignableCount[i] { w += n }
                threads[i] = 0
            }
            known[position] = true
            caps[position] = f
            whole[position] = w
        }
    }
}
