/// Orders drafts into executable steps: derives dependency edges (a CPU or
/// memory must be released before it is acquired; explicit `after_` links),
/// then sorts topologically with a stable tie-break (phase, then the order
/// drafts were made), so the same input always gives the same plan.
enum StepOrdering {
    struct Cycle: Error { var keys: [String] }

    static func order(_ drafts: [StepDraft]) -> Result<[Step], Cycle> {
        let n = drafts.count
        // Fields read by index, not `for d in drafts`: a draft is a large value
        // and copying each one costs more than the ordering itself.
        var byKey: [String: Int] = [:]
        byKey.reserveCapacity(n)
        for i in 0..<n { byKey[drafts[i].key] = i }

        // Who releases CPUs, per 64-CPU word (with the word's bits), and who
        // releases memory on each node. Per word, not per CPU: each Linux
        // service of a first plan releases nearly every CPU of the host.
        var wordSlots = 0, nodeSlots = 0
        for i in 0..<n {
            wordSlots = max(wordSlots, drafts[i].releasesCPUs.rawWords.count)
            nodeSlots = max(nodeSlots, (drafts[i].effects.releasesMemoryOn.last ?? -1) + 1)
        }
        var releasers = [[(draft: Int, bits: UInt64)]](repeating: [], count: wordSlots)
        var memoryReleasers = [[Int]](repeating: [], count: nodeSlots)
        for i in 0..<n {
            for (w, bits) in drafts[i].releasesCPUs.rawWords.enumerated() where bits != 0 { releasers[w].append((i, bits)) }
            for node in drafts[i].effects.releasesMemoryOn { memoryReleasers[node].append(i) }
        }
        // Each draft's dependencies, each once (`added[j] == i` once j is in).
        var deps = [[Int]](repeating: [], count: n)
        var added = [Int](repeating: -1, count: n)
        for i in 0..<n {
            func depend(on j: Int) {
                guard j != i, added[j] != i else { return }
                added[j] = i
                deps[i].append(j)
            }
            // A releaser of any CPU this draft acquires.
            let side = drafts[i].side
            for (w, bits) in drafts[i].acquiresCPUs.rawWords.enumerated() where bits != 0 && w < wordSlots {
                for r in releasers[w] where r.bits & bits != 0 && r.draft != i && needsOrder(drafts[r.draft].side, before: side) {
                    depend(on: r.draft)
                }
            }
            for node in drafts[i].effects.acquiresMemoryOn where node < nodeSlots {
                for j in memoryReleasers[node] { depend(on: j) }
            }
            for key in drafts[i].after_ { if let j = byKey[key] { depend(on: j) } }
        }

        // Kahn's algorithm, always taking the ready draft with the lowest (phase, index).
        var indegree = deps.map(\.count)
        var dependents = [[Int]](repeating: [], count: n)
        for i in 0..<n { for j in deps[i] { dependents[j].append(i) } }
        // A heap, not a scan of the ready list: thousands of steps can be ready at once.
        var ready = ReadyHeap(phases: (0..<n).map { drafts[$0].phase.rawValue })
        for i in 0..<n where indegree[i] == 0 { ready.push(i) }
        var order: [Int] = []
        order.reserveCapacity(n)
        while let i = ready.pop() {
            order.append(i)
            for k in dependents[i] {
                indegree[k] -= 1
                if indegree[k] == 0 { ready.push(k) }
            }
        }
        guard order.count == n else {
            return .failure(Cycle(keys: (0..<n).filter { indegree[$0] > 0 }.map { drafts[$0].key }))
        }
        var position = [Int](repeating: 0, count: n)
        for (p, i) in order.enumerated() { position[i] = p }
        return .success(order.enumerated().map { p, i in
            let dependsOn = deps[i].map { position[$0] }.sorted().map { "s\($0 + 1)" }
            return Step(
                id: "s\(p + 1)", action: drafts[i].action, target: drafts[i].target, dependsOn: dependsOn,
                disruption: drafts[i].disruption, before: drafts[i].before, after: drafts[i].after, reason: drafts[i].reason,
                effects: drafts[i].effects)
        })
    }

    /// Linux slices may overlap for a moment (exclusivity is sosplan's rule,
    /// not the kernel's), so only hand-overs involving a co-kernel or a CPU
    /// changing online state need ordering.
    private static func needsOrder(_ releaser: StepDraft.Side, before acquirer: StepDraft.Side) -> Bool {
        !(releaser == .linux && acquirer == .linux)
    }

    /// A binary min-heap of draft indices keyed by (phase, index): a total
    /// order, so the pops come in the same order as a scan for the minimum.
    private struct ReadyHeap {
        let phases: [Int]
        private var items: [Int] = []

        init(phases: [Int]) { self.phases = phases }

        private func less(_ a: Int, _ b: Int) -> Bool { (phases[a], a) < (phases[b], b) }

        mutating func push(_ i: Int) {
            items.append(i)
            var c = items.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                guard less(items[c], items[p]) else { break }
                items.swapAt(c, p)
                c = p
            }
        }

        mutating func pop() -> Int? {
            guard let top = items.first else { return nil }
            let last = items.removeLast()
            if !items.isEmpty {
                items[0] = last
                var p = 0
                while true {
                    let l = 2 * p + 1, r = l + 1
                    var m = p
                    if l < items.count && less(items[l], items[m]) { m = l }
                    if r < items.count && less(items[r], items[m]) { m = r }
                    if m == p { break }
                    items.swapAt(p, m)
                    p = m
                }
            }
            return top
        }
    }
}
