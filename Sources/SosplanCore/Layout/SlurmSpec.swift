/// `spec.slurm`: the node is a Slurm compute node, and one of the layout's
/// Linux services is its job partition. Its CPUs are the CPUs Slurm gives
/// jobs; every other online CPU is specialised (`CpuSpecList`), so slurmd,
/// its stepds and the system daemons stay there.
///
///     slurm:
///       jobs: compute            # a Linux service of this layout
///       node: cn042              # NodeName (default: the short host name)
///       features: [lwk]          # Features= (what --constraint can ask for)
///       lwkPool: {...}           # per-job enclaves (LWKJobPool)
public struct SlurmSpec: Sendable, Hashable {
    public var jobs: String
    public var node: String?
    public var features: [String]
    /// `lwkPool`: CPUs and memory kept for per-job enclaves (see `LWKJobPool`).
    public var lwkPool: LWKJobPool?
    public var marks: SourceMarks

    public init(jobs: String, node: String? = nil, features: [String] = [], marks: SourceMarks = SourceMarks()) {
        self.jobs = jobs
        self.node = node
        self.features = features
        self.marks = marks
    }
}

extension HostLayout {
    /// The service Slurm's jobs run in (`spec.slurm.jobs`).
    public var slurmJobService: ServiceSpec? { slurm.flatMap { service(named: $0.jobs) } }
}
