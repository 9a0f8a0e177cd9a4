extension SlurmNodeDefinition {
    /// The line for a node whose online CPUs are `online` and whose jobs
    /// run on `jobs` (a subset): `CPUs` counts the online CPUs (what slurmd
    /// finds when it starts), `CpuSpecList` names the others in Slurm's
    /// abstract numbering. Slurm numbers a node's CPUs socket by socket,
    /// core by core, thread by thread, as hwloc orders its PUs
    /// (`slurm.conf(5)`, CpuSpecList: "Slurm abstract CPU IDs"), so the
    /// online CPUs are sorted that way here and each gets its index.
    public static func placed(
        name: String, online: CPUSet, jobs: CPUSet, topology: Topology, realMemoryMiB: Int?, features: [String]
    ) -> SlurmNodeDefinition {
        let cpus = online.compactMap { topology.cpu($0) }
        let ordered = cpus.sorted { ($0.packageKey ?? 0, $0.core ?? $0.id, $0.id) < ($1.packageKey ?? 0, $1.core ?? $1.id, $1.id) }
        let spec = ordered.enumerated().filter { !jobs.contains($0.element.id) }.map(\.offset)
        return SlurmNodeDefinition(
            name: name, cpus: ordered.count, shape: shape(of: ordered), realMemoryMiB: realMemoryMiB, cpuSpecList: spec,
            features: features)
    }

    /// Sockets, cores per socket and threads per core when every socket has
    /// as many online cores and every core as many online threads (else nil:
    /// `CPUs` alone, which Slurm takes as that many single-core sockets).
    static func shape(of cpus: [CPUInfo]) -> Shape? {
        let sockets = Dictionary(grouping: cpus) { $0.packageKey ?? 0 }
        var coreCounts: Set<Int> = [], threadCounts: Set<Int> = []
        for (_, socket) in sockets {
            let cores = Dictionary(grouping: socket) { $0.core ?? $0.id }
            coreCounts.insert(cores.count)
            for (_, threads) in cores { threadCounts.insert(threads.count) }
        }
        guard coreCounts.count == 1, threadCounts.count == 1, let c = coreCounts.first, let t = threadCounts.first else { return nil }
        return Shape(sockets: sockets.count, coresPerSocket: c, threadsPerCore: t)
    }
}
