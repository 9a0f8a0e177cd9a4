/// Groupings of the CPU list that renderers and the planner share: cores
/// (SMT siblings), last-level caches, packages and NUMA nodes.
///
/// A core is its set of hardware threads (`threadSiblings`), as in hwloc: the
/// kernel's `(physical_package_id, core_id)` pair is not unique on multi-die
/// packages (AMD Magny-Cours, Intel with several dies, ia64), while the
/// sibling set always is.
extension CPUInfo {
    /// Identifies this CPU's core: the lowest id among its thread siblings.
    public var coreLeader: Int { threadSiblings.first ?? id }
}

/// One core: its hardware threads and where it sits.
public struct CoreGroup: Sendable, Hashable {
    /// The lowest CPU id of the core (what `CPUInfo.coreLeader` returns).
    public var leader: Int
    /// The kernel's `core_id`, when known.
    public var coreID: Int?
    public var package: Int?
    public var node: Int?
    /// The last-level cache id (`CPUInfo.l3`) of the core's lowest thread.
    public var l3: Int?
    /// Present threads of the core, online or not.
    public var threads: CPUSet
}

extension Topology {
    /// Every core among present CPUs, ordered by their lowest CPU id.
    public var cores: [CoreGroup] {
        var byLeader: [Int: CoreGroup] = [:]
        for cpu in cpus {
            let leader = cpu.coreLeader
            if var group = byLeader[leader] {
                group.threads.insert(cpu.id)
                byLeader[leader] = group
            } else {
                byLeader[leader] = CoreGroup(
                    leader: leader, coreID: cpu.core, package: cpu.package, node: cpu.node, l3: cpu.l3,
                    threads: CPUSet([cpu.id]))
            }
        }
        return byLeader.values.sorted { $0.leader < $1.leader }
    }

    /// CPUs per last-level cache id, for CPUs whose cache is known.
    public var lastLevelCaches: [Int: CPUSet] {
        var groups: [Int: CPUSet] = [:]
        for cpu in cpus {
            guard let l3 = cpu.l3 else { continue }
            groups[l3, default: CPUSet()].insert(cpu.id)
        }
        return groups
    }

    /// Distinct package ids among present CPUs, ascending.
    public var packageIDs: [Int] { Set(cpus.compactMap(\.package)).sorted() }

    /// How many threads the cores have: e.g. `[2]` on a uniform SMT-2 host,
    /// `[1, 2]` on a hybrid one. Counts present threads.
    public var threadsPerCore: [Int] { Set(cores.map(\.threads.count)).sorted() }

    /// Present CPUs whose NUMA node is known but has no entry in `nodes`
    /// (an offline or memoryless node the kernel shows no directory for).
    public var cpusOfUnlistedNodes: CPUSet {
        let listed = Set(nodes.map(\.id))
        return CPUSet(cpus.filter { $0.node.map { !listed.contains($0) } ?? false }.map(\.id))
    }
}
