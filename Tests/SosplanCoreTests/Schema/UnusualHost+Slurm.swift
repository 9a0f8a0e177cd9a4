import SosplanCore

/// The unusual host is a Slurm node too: its job partition is a service of
/// its own, and the node line in sosplan's drop-in predates the layout
/// (fewer CPUs, no core specialisation), so the plan rewrites it.
extension UnusualHost {
    static let slurmLayout = """
            - name: compute
              cpus: {count: 2, numa: 0}
          slurm: {jobs: compute, node: odd-host-1, features: [lwk]}
        """

    static func slurm() -> SlurmObservation {
        SlurmObservation(
            nodeConfig: "/etc/slurm/sosplan-node.conf",
            node: SlurmNodeDefinition(name: "odd-host-1", cpus: 16, realMemoryMiB: 1000, cpuSpecList: [], features: ["lwk"]))
    }
}
