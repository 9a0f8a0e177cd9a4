/// `spec.slurm.lwkPool`: CPUs and memory kept from Linux (and from Slurm's
/// job partition and its `CpuSpecList`) for enclaves booted per job by
/// `sosplan job prolog`, released by `sosplan job epilog`. A job asks for
/// one with `--constraint=<feature>`; it gets as many of the pool's CPUs as
/// Slurm gave it (at most `maxCPUsPerJob`) and memory in proportion.
///
///     slurm:
///       jobs: compute
///       features: [lwk]
///       lwkPool:
///         driver: mckernel
///         cpus: "4-7"          # explicit: the pool never moves under a running job
///         memory: 4Gi         # all job enclaves together, at most
///         numa: 0              # where their memory comes from (default 0)
///         maxCPUsPerJob: 4     # default: the whole pool
public struct LWKJobPool: Sendable, Hashable {
    public var driver: EnclaveDriverKind
    public var cpus: CPUSet
    public var memory: ByteSize
    public var numa: Int
    public var maxCPUsPerJob: Int?
    /// The node feature a job names in `--constraint` to get an enclave.
    public var feature: String
    public var image: String?
    public var args: String?
    public var marks: SourceMarks

    public init(
        driver: EnclaveDriverKind, cpus: CPUSet, memory: ByteSize, numa: Int = 0, maxCPUsPerJob: Int? = nil,
        feature: String = "lwk", image: String? = nil, args: String? = nil, marks: SourceMarks = SourceMarks()
    ) {
        self.driver = driver
        self.cpus = cpus
        self.memory = memory
        self.numa = numa
        self.maxCPUsPerJob = maxCPUsPerJob
        self.feature = feature
        self.image = image
        self.args = args
        self.marks = marks
    }

    /// The most CPUs one job's enclave may have.
    public var jobCPULimit: Int { min(maxCPUsPerJob ?? cpus.count, cpus.count) }

    /// Memory for an enclave of `count` CPUs: the pool's memory shared per
    /// CPU, rounded down to whole 2 MiB pages (what every co-kernel maps).
    public func memory(forCPUs count: Int) -> UInt64 {
        guard !cpus.isEmpty else { return 0 }
        let page: UInt64 = 2 << 20
        let share = memory.bytes / UInt64(cpus.count) * UInt64(count)
        return share / page * page
    }
}

extension HostLayout {
    /// `spec.slurm.lwkPool`, if the layout keeps one.
    public var lwkPool: LWKJobPool? { slurm?.lwkPool }
}
