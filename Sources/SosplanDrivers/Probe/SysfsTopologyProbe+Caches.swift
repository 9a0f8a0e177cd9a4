import SosplanCore

extension SysfsTopologyProbe {
    /// Finds each CPU's last-level cache: the highest-level data or unified
    /// cache under `cpuN/cache/indexK`, and the CPUs sharing it.
    ///
    /// An empty `shared_cpu_map` (ia64 reports empty L3 maps) stands for the
    /// CPU's core, as in hwloc. CPUs without cache information keep nil.
    ///
    /// The online CPUs a cache's shared_cpu_list names after the CPU it was
    /// read from take it from there (`CPUMaskGroups`). Otherwise, CPUs
    /// usually share one cache layout, so the previous CPU's layout is tried
    /// first (same index at the same level, no index beyond its last): two
    /// probes instead of listing and reading every index. Any mismatch
    /// (asymmetric caches) falls back to the full scan.
    func readLastLevelCaches(_ sys: SysfsReader, _ records: inout [CPURecord], _ warnings: inout ProbeWarnings) {
        var previous: CacheLayout?
        var sharers = CPUMaskGroups()
        for i in records.indices {
            let id = records[i].id
            // A cache's sharers share its shared_cpu_list: read once per cache.
            if records[i].online, let shared = sharers.mask(of: id) {
                records[i].lastLevelCache = shared.union(CPUSet([id]))
                continue
            }
            let dir = "\(Self.cpuBase)/cpu\(id)/cache"
            var layout = previous.flatMap { $0.matches(sys, dir: dir) ? $0 : nil }
            if layout == nil {
                guard let indexes = sys.numberedEntries(dir, prefix: "index"), !indexes.isEmpty else {
                    if records[i].online {
                        warnings.note("no-cache-info", id) {
                            "\(cpuPhrase($0)): no cache information in sysfs; last-level cache unknown"
                        }
                    }
                    continue
                }
                layout = lastLevelIndex(sys, dir: dir, indexes: indexes)
            }
            guard let layout else { continue }
            previous = layout
            let path = "\(dir)/index\(layout.index)"
            var shared = sys.cpuSet(list: "\(path)/shared_cpu_list", mask: "\(path)/shared_cpu_map") ?? CPUSet()
            if records[i].online && !shared.isEmpty { sharers.learn(shared, from: id) }
            if shared.isEmpty { shared = records[i].siblings ?? CPUSet() }
            shared.insert(id)
            records[i].lastLevelCache = shared
        }
    }

    /// The highest-level cache that is not an instruction cache.
    private func lastLevelIndex(_ sys: SysfsReader, dir: String, indexes: [Int]) -> CacheLayout? {
        let levels = indexes.compactMap { k in sys.int("\(dir)/index\(k)/level").map { (index: k, level: $0) } }
        // Highest level first; among equals the lowest index (L1d before L1i).
        for candidate in levels.sorted(by: { ($0.level, -$0.index) > ($1.level, -$1.index) }) {
            let type = sys.trimmed("\(dir)/index\(candidate.index)/type") ?? "Unified"
            if type != "Instruction" {
                return CacheLayout(index: candidate.index, level: candidate.level, lastIndex: indexes.last!)
            }
        }
        return nil
    }
}

/// Where a CPU's last-level cache sits among its `cache/indexK` entries.
struct CacheLayout {
    var index: Int
    var level: Int
    var lastIndex: Int

    /// Whether another CPU's cache directory has the same layout.
    func matches(_ sys: SysfsReader, dir: String) -> Bool {
        sys.int("\(dir)/index\(index)/level") == level && !sys.exists("\(dir)/index\(lastIndex + 1)")
    }
}
