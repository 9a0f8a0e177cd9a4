import SosplanCore

extension SysfsTopologyProbe {
    /// Fills CPUs whose `topology/` the kernel hides (offline ones) from the
    /// topology cache; returns the cache as loaded (nil if none or not for
    /// this machine). sysfs wins wherever it says something.
    func restoreFromTopologyCache(machine: String, _ records: inout [CPURecord], _ warnings: inout ProbeWarnings)
        -> TopologyCache?
    {
        var cache: TopologyCache?
        if let stateDirectory {
            let loaded = stateDirectory.loadTopologyCache()
            if let problem = loaded.problem { warnings.add(problem) }
            if let c = loaded.cache, c.machine != machine {
                warnings.add("ignoring the topology cache: it describes another machine (\(c.machine), here \(machine))")
            } else {
                cache = loaded.cache
            }
        }
        for i in records.indices where !records[i].hasTopology {
            let id = records[i].id
            let state = records[i].online ? "online" : "offline"
            guard let entry = cache?.entry(id) else {
                if !records[i].online {
                    warnings.note("uncached-offline", id) {
                        "\(cpuPhrase($0)): offline; the kernel hides their topology and the topology cache does not know \($0.count == 1 ? "it" : "them"): package, core and cache unknown"
                    }
                }
                continue
            }
            warnings.note("cached-\(state)", id) {
                "\(cpuPhrase($0)): \(state) without topology in sysfs; package, core and cache taken from the topology cache (learned while online)"
            }
            records[i].package = entry.package
            records[i].core = entry.core
            records[i].siblings = entry.threadSiblings
            if records[i].lastLevelCache == nil { records[i].lastLevelCache = entry.lastLevelCache }
            if records[i].node == nil {
                records[i].node = entry.node
            } else if let cached = entry.node, cached != records[i].node {
                warnings.note("cache-node-conflict", id) {
                    "\(cpuPhrase($0)): the topology cache names another NUMA node than sysfs; sysfs used"
                }
            }
        }
        return cache
    }

    /// Records the topology of every CPU sysfs shows now, keeping the
    /// entries of CPUs it hides; writes only when something changed. A
    /// failed write is a warning: the observation itself is still right.
    func updateTopologyCache(
        _ old: TopologyCache?, machine: String, records: [CPURecord], cpus: [CPUInfo], _ warnings: inout ProbeWarnings
    ) {
        guard let stateDirectory else { return }
        var entries: [Int: TopologyCache.Entry] = [:]
        for entry in old?.cpus ?? [] { entries[entry.id] = entry }
        let groups = Topology(cpus: cpus, nodes: []).lastLevelCaches
        for (record, cpu) in zip(records, cpus) where record.hasTopology {
            entries[cpu.id] = TopologyCache.Entry(
                id: cpu.id, package: cpu.package, core: cpu.core, node: cpu.node, threadSiblings: cpu.threadSiblings,
                lastLevelCache: cpu.l3.flatMap { groups[$0] })
        }
        let updated = TopologyCache(machine: machine, cpus: Array(entries.values))
        guard updated != old, !updated.cpus.isEmpty else { return }
        do {
            try stateDirectory.saveTopologyCache(updated)
        } catch {
            warnings.add("could not write the topology cache in \(stateDirectory.url.path): \(error)")
        }
    }
}
