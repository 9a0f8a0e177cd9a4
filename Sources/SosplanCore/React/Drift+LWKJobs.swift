extension Drift {
    /// Drift that running LWK jobs explain, taken out: their enclaves
    /// (`slurm-job-<id>`), the pool's CPUs going offline and coming back with
    /// them, and, while any job's enclave is up, the memory they took from
    /// the pool's NUMA node. A job's enclave is `sosplan job`'s, not the
    /// applied layout's, so it is no departure from it.
    public static func withoutLWKJobs(_ drift: [Drift], pool: LWKJobPool, now: HostSnapshot) -> [Drift] {
        let jobsUp = now.enclaves.contains { $0.name.map(LWKJobRequest.isJobEnclaveName) ?? false }
        return drift.filter { d in
            if d.target.hasPrefix("enclave:"), LWKJobRequest.isJobEnclaveName(String(d.target.dropFirst("enclave:".count))) {
                return false
            }
            if d.target.hasPrefix("CPU "), let cpu = Int(d.target.dropFirst(4)), pool.cpus.contains(cpu) {
                let cpuChange = d.message.hasPrefix("went offline") || d.message.hasPrefix("came online") || d.message.hasPrefix("owner ")
                return !cpuChange
            }
            if jobsUp, d.target == "node \(pool.numa)" {
                return !(d.message.hasPrefix("memory ") || d.message.hasPrefix("memory blocks "))
            }
            return true
        }
    }
}
