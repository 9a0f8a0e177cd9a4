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

        // Who releases each CPU, and on which side.
        var releasers: [Int: [Int]] = [:]
        for (i, d) in drafts.enumerated() { for cpu in d.releasesCPUs { releasers[cpu, default: []].append(i) } }
        for (i, d) in drafts.enumerated() {
            for cpu in d.acquiresCPUs {
                for j in releasers[cpu] ?? [] where j != i && needsOrder(drafts[j], before: d) { deps[i].insert(j) }
            }
            for node in d.acquiresMemoryOn {
                for (j, other) in drafts.enumerated() where j != i && other.releasesMemoryOn.contains(node) {
                    deps[i].insert(j)
                }
            }
            for key in d.after_ { if let j = byKey[key], j != i { deps[i].insert(j) } }
        }

        // Kahn's algorithm, always taking the ready draft with the lowest (phase, index).
        var indegree = deps.map(\.count)
        var dependents = [[Int]](repeating: [], count: n)
        for i in 0..<n { for j in deps[i] { dependents[j].append(i) } }
        var ready = (0..<n).filter { indegree[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let pick = ready.indices.min { (drafts[ready[$0]].phase, ready[$0]) < (drafts[ready[$1]].phase, ready[$1]) }!
            let i = ready.remove(at: pick)
            order.append(i)
            for k in dependents[i] {
                indegree[k] -= 1
                if indegree[k] == 0 { ready.append(k) }
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
}
