/// The Slurm node in a plan (`spec.slurm`). Slurm gives jobs every CPU of
/// the node's line except the specialised ones (`CpuSpecList`), and 22.05
/// reads that line only when its daemons start; it drains a node whose
/// slurmd registers fewer CPUs than the line says ("Low CPUs"). So after
/// every other step of the plan, when the online CPUs or the job
/// partition's CPUs change, sosplan writes the line for the CPUs the host
/// then has (jobs on the job partition, everything else specialised) and
/// restarts the daemons in the order that never drains the node (research:
/// slurm-on-these-vms.md, "What 22.05 allows").
extension Planner {
    func slurmNode(_ builder: inout StepBuilder, notes: inout [String]) {
        guard let spec = layout.slurm, let placed = builder.placement.service(spec.jobs) else { return }
        guard let current = snapshot.slurm else {
            notes.append(
                "spec.slurm: the Slurm node's drop-in was not observed (no --slurm-node-config here), so Slurm is left as it is")
            return
        }
        guard let name = spec.node ?? snapshot.hostname.map({ String($0.prefix { $0 != "." }) }), SlurmNodeDefinition.isName(name) else {
            notes.append("spec.slurm: this host's name is no Slurm node name; write spec.slurm.node")
            return
        }
        var online = snapshot.topology.onlineCPUs
        var topology = snapshot.topology
        if case .success(let steps) = StepOrdering.order(builder.drafts) {
            let plan = Plan(layout: layout.metadata.name, placement: builder.placement, steps: steps, snapshotFingerprint: "")
            topology = PlanSimulator(capabilities: capabilities).apply(plan, to: snapshot).topology
            online = topology.onlineCPUs
        }
        // The LWK job pool is not Slurm's: its CPUs go offline and come back
        // with each job's enclave, so the node line never counts them.
        if let pool = spec.lwkPool { online.subtract(pool.cpus) }
        var jobs = placed.cpus.intersection(online)
        if jobs.isEmpty {
            jobs = builder.placement.host.cpus.intersection(online)
            notes.append("spec.slurm: service '\(spec.jobs)' has no CPUs; Slurm's jobs share the host CPUs \(jobs) until it has some")
        }
        var memory = current.node?.realMemoryMiB
        if case .value(let max)? = layout.slurmJobService?.memory.max { memory = Swift.max(1, Int(max / 1_048_576)) }
        let desired = SlurmNodeDefinition.placed(
            name: name, online: online, jobs: jobs, topology: topology, realMemoryMiB: memory, features: spec.features)
        if let problem = desired.problem {
            notes.append("spec.slurm: no node line can be written: \(problem)")
            return
        }
        guard current.node != desired else { return }
        var why = ["jobs on CPUs \(jobs) of \(online.count) online"]
        if let old = current.node {
            if old.cpus != desired.cpus { why.append("CPUs \(old.cpus) → \(desired.cpus)") }
            if old.cpuSpecList != desired.cpuSpecList { why.append("CpuSpecList \(old.cpuSpecList.map(String.init).joined(separator: ",")) → \(desired.cpuSpecList.map(String.init).joined(separator: ","))") }
        } else if let problem = current.problem {
            why.append("\(current.nodeConfig) is rewritten: \(problem)")
        }
        builder.addSlurmNode(desired, current: current, reason: why.joined(separator: "; "))
    }
}
