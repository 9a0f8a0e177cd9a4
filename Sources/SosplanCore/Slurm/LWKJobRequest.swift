/// What one Slurm job asks of the LWK job pool, read from the environment
/// slurmd 22.05 gives `Prolog=`/`Epilog=` (research: slurm-on-these-vms.md,
/// "Prolog / Epilog"): `SLURM_JOB_ID`, `SLURM_JOB_CONSTRAINTS` (the job's
/// `--constraint`) and `SLURM_JOB_CPUS_PER_NODE` (a count, e.g. `2` or
/// `2(x3)`). The job's own environment never reaches these scripts, so the
/// constraint is the request. Every value is untrusted text.
public struct LWKJobRequest: Sendable, Hashable {
    public var jobID: UInt64
    /// Whether the job's constraint names the pool's feature.
    public var wantsLWK: Bool
    /// CPUs Slurm allocated the job on this node.
    public var cpus: Int

    public init(jobID: UInt64, wantsLWK: Bool, cpus: Int) {
        self.jobID = jobID
        self.wantsLWK = wantsLWK
        self.cpus = cpus
    }

    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
    }

    /// Reads the request; `feature` is the pool's (`lwkPool.feature`).
    public static func from(environment env: [String: String], feature: String) throws(Problem) -> LWKJobRequest {
        guard let idText = env["SLURM_JOB_ID"] ?? env["SLURM_JOBID"] else {
            throw Problem(description: "SLURM_JOB_ID is not set: run this as slurm.conf's Prolog= or Epilog=")
        }
        guard let id = jobID(idText) else {
            throw Problem(description: "SLURM_JOB_ID '\(ControlCharacters.shown(idText, limit: 40))' is not a job id")
        }
        let wants = constraintNames(env["SLURM_JOB_CONSTRAINTS"] ?? "").contains(feature)
        let cpus = env["SLURM_JOB_CPUS_PER_NODE"].flatMap(cpuCount) ?? 1
        return LWKJobRequest(jobID: id, wantsLWK: wants, cpus: cpus)
    }

    /// A job id: 1 to 19 decimal digits, no sign, no spaces.
    public static func jobID(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.count <= 19, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt64(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The feature names of a constraint expression (`lwk`, `lwk&ib`,
    /// `[rack1|rack2]*2`, `lwk:2`): the words between its operators.
    public static func constraintNames(_ expression: String) -> Set<String> {
        var names = Set<String>()
        for word in expression.split(whereSeparator: { "&|,[]()*:!".contains($0) || $0 == " " }) {
            let name = String(word)
            if SlurmNodeDefinition.isName(name), !name.allSatisfy(\.isNumber) { names.insert(name) }
        }
        return names
    }

    /// The count in `SLURM_JOB_CPUS_PER_NODE` (`4`, `4(x2)`, `4(x2),2`: the first).
    static func cpuCount(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, let n = Int(digits), n > 0 else { return nil }
        return n
    }

    /// The enclave a job gets: `slurm-job-<id>` (a DNS label, never a layout's).
    public var enclaveName: String { Self.enclaveName(jobID) }

    public static let enclavePrefix = "slurm-job-"

    public static func enclaveName(_ id: UInt64) -> String { enclavePrefix + String(id) }

    public static func isJobEnclaveName(_ name: String) -> Bool {
        name.hasPrefix(enclavePrefix) && jobID(String(name.dropFirst(enclavePrefix.count))) != nil
    }
}

extension LWKJobPool {
    /// The CPUs (lowest free first) and memory an enclave for `request`
    /// gets when `taken` are held by other jobs' enclaves and `running`
    /// instances of the pool's co-kernel exist, or why it cannot:
    /// `capabilities` bound the instances at once (McKernel and mOS: one)
    /// and round the memory down to what the co-kernel reserves.
    public func allocate(
        _ request: LWKJobRequest, taken: CPUSet, running: Int = 0, capabilities: EnclaveCapabilities? = nil
    ) -> Result<(cpus: CPUSet, memory: UInt64), LWKJobRequest.Problem> {
        let want = request.cpus
        guard want <= jobCPULimit else {
            return .failure(.init(description: "job \(request.jobID) has \(want) CPUs; an LWK job may have at most \(jobCPULimit) (lwkPool.maxCPUsPerJob)"))
        }
        if let limit = capabilities?.maximumInstances, running >= limit {
            return .failure(.init(description: "the LWK pool is busy: \(driver.rawValue) runs at most \(limit) instance\(limit == 1 ? "" : "s") at once and \(running) \(running == 1 ? "is" : "are") up; job \(request.jobID) gets none"))
        }
        let free = cpus.subtracting(taken)
        guard free.count >= want else {
            return .failure(.init(description: "the LWK pool is exhausted: job \(request.jobID) needs \(want) CPUs, \(free.count) of \(cpus.count) are free (CPUs \(taken.intersection(cpus)) are held by other jobs' enclaves)"))
        }
        let granule = max(capabilities?.memoryGranularity ?? 0, 2 << 20)
        let memory = self.memory(forCPUs: want) / granule * granule
        guard memory > 0 else {
            return .failure(.init(description: "the LWK pool's memory (\(self.memory)) gives \(want) CPUs less than one \(ByteSize(granule)) unit \(driver.rawValue) reserves"))
        }
        return .success((CPUSet(free.sorted().prefix(want)), memory))
    }
}
