/// The property names of a `slurm.node` step: the drop-in's path and the
/// node line before and after (parsed again wherever they are read).
public enum SlurmNodeStep {
    public static let fileKey = "nodeConfig"
    public static let lineKey = "line"
}

extension StepBuilder {
    /// Writes the node's line and restarts the daemons after every other
    /// step: by then the CPUs the line counts are online (or offline) and
    /// the job partition's slice has its CPUs, so slurmd registers exactly
    /// what the line says.
    mutating func addSlurmNode(_ node: SlurmNodeDefinition, current: SlurmObservation, reason: String) {
        var step = StepDraft(
            "slurm:\(node.name)", .slurmNode, target: .slurmNode(node.name), disruption: .restart, phase: .removeSlices, side: .other,
            reason: reason)
        step.before = [SlurmNodeStep.fileKey: .string(current.nodeConfig), SlurmNodeStep.lineKey: current.node.map { .string($0.line) } ?? .null]
        step.after = [SlurmNodeStep.fileKey: .string(current.nodeConfig), SlurmNodeStep.lineKey: .string(node.line)]
        step.after_ = drafts.map(\.key)
        add(step)
    }
}
