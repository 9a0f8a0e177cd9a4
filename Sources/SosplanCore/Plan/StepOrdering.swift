/// Orders drafts into executable steps: derives dependency edges (a CPU or
/// memory must be released before it is acquired; explicit `after_` links),
/// then sorts topologically with a stable tie-break (phase, then the order
/// drafts were made), so the same input always gives the same plan.
enum StepOrdering {
    struct Cycle: Error { var keys: [String] }

    static func order(_ drafts: [StepDraft]) -> Result<[Step], Cycle> {
        let n = drafts.count
        var deps = [Set<Int>](repeating: [], count: n)
        var byKey: [String: Int] = [:]
        for (i, d) in drafts.enumerated() { byKey[d.key] = i }

        // Who releases each CPU, and on which side; who releases memory on each node.
        var releasers: [Int: [Int]] = [:], memoryReleasers: [Int: [Int]] = [:]
        for (i, d) in drafts.enumerated() {
            for cpu in d.releasesCPUs { releasers[cpu, default: []].append(i) }
            for node in d.releasesMemoryOn { memoryReleasers[node, default: []].append(i) }
        }
        for (i, d) in drafts.enumerated() {
            for cpu in d.acquiresCPUs {
                for j in releasers[cpu] ?? [] where j != i && needsOrder(drafts[j], before: d) { deps[i].insert(j) }
            }
            for node in d.acquiresMemoryOn {
                for j in memoryReleasers[node] ?? [] where j != i { deps[i].insert(j) }
            }
            for key in d.after_ { if let j = byKey[key], j != i { deps[i].insert(j) } }
        }

        // Kahn's algorithm, always taking the ready draft with the lowest (phase, index).
        var indegree = deps.map(\.count)
        var dependents = [[Int]](repeating: [], count: n)
        for i in 0..<n { for j in deps[i] { dependents[j].append(i) } }
        // A heap, not a scan of the ready list: thousands of steps can be ready at once.
        var ready = ReadyHeap(phases: drafts.map(\.phase.rawValue))
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
        var id: [Int: String] = [:]
        var position: [Int: Int] = [:]
        for (p, i) in order.enumerated() {
            id[i] = "s\(p + 1)"
            position[i] = p
        }
        return .success(order.map { i in
            let d = drafts[i]
            let dependsOn = deps[i].sorted { position[$0]! < position[$1]! }.map { id[$0]! }
            return Step(
                id: id[i]!, action: d.action, target: d.target, dependsOn: dependsOn, disruption: d.disruption,
                before: d.before, after: d.after, reason: d.reason)
        })
    }

    /// Linux slices may overlap for a moment (exclusivity is sosplan's rule,
    /// not the kernel's), so only hand-overs involving a co-kernel or a CPU
    /// changing online state need ordering.
    private static func needsOrder(_ releaser: StepDraft, before acquirer: StepDraft) -> Bool {
        !(releaser.side == .linux && acquirer.side == .linux)
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
