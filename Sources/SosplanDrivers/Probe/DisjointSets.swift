import SosplanCore

/// Union-find over small non-negative ids, used to turn the overlapping
/// sets sysfs reports (thread siblings, cache sharing lists seen from
/// different CPUs, some with offline CPUs left out) into a partition.
struct DisjointSets {
    private var parent: [Int: Int] = [:]

    mutating func find(_ x: Int) -> Int {
        var root = x
        while let p = parent[root], p != root { root = p }
        var node = x
        while let p = parent[node], p != root {  // path compression
            parent[node] = root
            node = p
        }
        if parent[x] == nil { parent[x] = x }
        return root
    }

    /// Joins every member of `set` into one class; the representative is
    /// always the smallest id, so class ids are deterministic.
    mutating func union(_ set: CPUSet) {
        guard let first = set.first else { return }
        var root = find(first)
        for id in set {
            let r = find(id)
            if r == root { continue }
            let (low, high) = r < root ? (r, root) : (root, r)
            parent[high] = low
            root = low
        }
    }

    /// The members of each class, keyed by the class's smallest id.
    mutating func classes(of ids: [Int]) -> [Int: CPUSet] {
        var result: [Int: CPUSet] = [:]
        for id in ids { result[find(id), default: CPUSet()].insert(id) }
        return result
    }
}
