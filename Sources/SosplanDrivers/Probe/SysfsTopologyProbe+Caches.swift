import SosplanCore

extension SysfsTopologyProbe {
    /// Finds each CPU's last-level cache: the highest-level data or unified
    /// cache under `cpuN/cache/indexK`, and the CPUs sharing it.
    ///
    /// An empty `shared_cpu_map` (ia64 reports empty L3 maps) stands for the
    /// CPU's core, as in hwloc. CPUs without cache information keep nil.
    func readLastLevelCaches(_ sys: SysfsReader, _ records: inout [CPURecord], _ warnings: inout ProbeWarnings) {
        for i in records.indices {
            let id = records[i].id
            let dir = "\(Self.cpuBase)/cpu\(id)/cache"
            guard let indexes = sys.numberedEntries(dir, prefix: "index"), !indexes.isEmpty else {
                if records[i].online {
                    warnings.note("no-cache-info", id) {
                        "\(cpuPhrase($0)): no cache information in sysfs; last-level cache unknown"
                    }
                }
                continue
            }
            guard let index = lastLevelIndex(sys, dir: dir, indexes: indexes) else { continue }
            let path = "\(dir)/index\(index)"
            var shared = sys.cpuSet(list: "\(path)/shared_cpu_list", mask: "\(path)/shared_cpu_map") ?? CPUSet()
            if shared.isEmpty { shared = records[i].siblings ?? CPUSet() }
            shared.insert(id)
            records[i].lastLevelCache = shared
        }
    }

    /// The index of the highest-level cache that is not an instruction cache.
    private func lastLevelIndex(_ sys: SysfsReader, dir: String, indexes: [Int]) -> Int? {
        let levels = indexes.compactMap { k in sys.int("\(dir)/index\(k)/level").map { (index: k, level: $0) } }
        // Highest level first; among equals the lowest index (L1d before L1i).
        for candidate in levels.sorted(by: { ($0.level, -$0.index) > ($1.level, -$1.index) }) {
            let type = sys.trimmed("\(dir)/index\(candidate.index)/type") ?? "Unified"
            if type != "Instruction" { return candidate.index }
        }
        return nil
    }
}
