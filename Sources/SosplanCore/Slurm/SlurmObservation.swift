/// What the host's Slurm node looks like to sosplan: the drop-in sosplan
/// keeps the node's line in, and the line it holds now (nil when the file
/// is absent or not one sosplan can read: `problem` says why, and the next
/// plan writes it whole).
public struct SlurmObservation: Sendable, Hashable, Codable {
    /// The drop-in's host path (`Include`d by slurm.conf).
    public var nodeConfig: String
    public var node: SlurmNodeDefinition?
    public var problem: String?

    public init(nodeConfig: String, node: SlurmNodeDefinition? = nil, problem: String? = nil) {
        self.nodeConfig = nodeConfig
        self.node = node
        self.problem = problem
    }
}
