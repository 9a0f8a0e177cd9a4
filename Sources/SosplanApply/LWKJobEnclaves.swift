import FoundationEssentials
import SosplanCore
import SosplanDrivers

/// `sosplan job prolog` and `sosplan job epilog` without the command line:
/// boots a job's enclave from the layout's LWK pool and destroys it again,
/// under the state directory's apply lock (so a job's enclave and an apply
/// never change the host at once, and two prologs run one after the
/// other), with the job's record written durably before the co-kernel is
/// touched (the epilog of a killed or half-failed prolog still finds it).
public struct LWKJobEnclaves {
    public let pool: LWKJobPool
    public let driver: any EnclaveDriver
    public let state: StateDirectory
    /// How long to wait for the lock (an apply or another job's prolog).
    public var lockTimeout: Double
    public var hostname: String?

    public init(pool: LWKJobPool, driver: any EnclaveDriver, state: StateDirectory, lockTimeout: Double, hostname: String? = nil) {
        self.pool = pool
        self.driver = driver
        self.state = state
        self.lockTimeout = lockTimeout
        self.hostname = hostname
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public enum Outcome: Sendable, Equatable {
        /// The job asked for no LWK (or, in the epilog, had no enclave).
        case nothing
        case booted(LWKJobRecord)
        case destroyed(LWKJobRecord)
    }

    /// The prolog: an enclave for `request` if it asks for one. Throws (and
    /// leaves no enclave, no offline CPU and no record of its own) when the
    /// lock is held too long, the pool is exhausted or the co-kernel fails.
    public func prolog(_ request: LWKJobRequest) throws(Failure) -> Outcome {
        guard request.wantsLWK else { return .nothing }
        let lock = try takeLock("sosplan job prolog \(request.jobID)")
        defer { lock.release() }
        var jobs = try readJobs()
        if let old = jobs.first(where: { $0.job == request.jobID }) {
            // A prolog run again for the same job (requeued): start clean.
            try release(old)
            jobs.removeAll { $0.job == request.jobID }
            try write(jobs)
        }
        var taken = jobs.reduce(CPUSet()) { $0.union($1.cpus) }
        // CPUs some other instance holds (not a recorded job's) are not free either.
        let observed: EnclaveObservation
        do { observed = try driver.observeEnclaves() } catch {
            throw Failure("cannot observe \(pool.driver.rawValue): \(error)")
        }
        for i in observed.instances { taken.formUnion(i.cpus.intersection(pool.cpus)) }
        if let p = observed.pool { taken.formUnion(p.cpus.intersection(pool.cpus)) }
        let (cpus, memory): (CPUSet, UInt64)
        switch pool.allocate(request, taken: taken, running: observed.instances.count, capabilities: driver.capabilities) {
        case .success(let a): (cpus, memory) = a
        case .failure(let problem): throw Failure(problem.description)
        }
        var record = LWKJobRecord(
            job: request.jobID, enclave: request.enclaveName, driver: pool.driver, cpus: cpus, memory: memory,
            phase: .booting, since: Timestamp.now())
        try write(jobs + [record])
        do {
            _ = try driver.create(EnclaveRequest(
                name: record.enclave, cpus: cpus, memory: [MemoryChunk(node: pool.numa, bytes: memory)],
                image: pool.image, args: pool.args))
        } catch {
            // The driver rolled back what it did; the record goes with it.
            try write(jobs)
            throw Failure("\(pool.driver.rawValue) could not boot an enclave on CPUs \(cpus): \(error)")
        }
        record.phase = .up
        try write(jobs + [record])
        return .booted(record)
    }

    /// The epilog: destroys the job's enclave (after a prolog that finished,
    /// failed half-way or was killed), then forgets the job.
    public func epilog(jobID: UInt64) throws(Failure) -> Outcome {
        let lock = try takeLock("sosplan job epilog \(jobID)")
        defer { lock.release() }
        var jobs = try readJobs()
        guard let record = jobs.first(where: { $0.job == jobID }) else {
            // No record: the prolog refused the job or never ran. An enclave by
            // the job's name (a record lost with its disk) still goes.
            let name = LWKJobRequest.enclaveName(jobID)
            if (try? driver.instance(named: name)) ?? nil != nil {
                do { try driver.destroy(name) } catch { throw Failure("cannot destroy enclave \(name): \(error)") }
            }
            return .nothing
        }
        try release(record)
        jobs.removeAll { $0.job == jobID }
        try write(jobs)
        return .destroyed(record)
    }

    /// Every CPU and byte of `record`'s enclave back to Linux.
    func release(_ record: LWKJobRecord) throws(Failure) {
        do {
            if try driver.instance(named: record.enclave) != nil {
                try driver.destroy(record.enclave)
            } else if record.phase == .booting {
                // A prolog killed in the middle of create: the co-kernel may
                // hold the CPUs reserved for no instance, or an unnamed instance.
                let observed = try driver.observeEnclaves()
                for i in observed.instances where i.name == nil && !i.cpus.isDisjoint(with: record.cpus) {
                    try driver.destroy(instance: i.instance)
                }
                _ = try driver.releasePool(keeping: nil)
            }
        } catch {
            throw Failure("cannot destroy enclave \(record.enclave) on CPUs \(record.cpus): \(error)")
        }
    }

    func takeLock(_ command: String) throws(Failure) -> ApplyLock {
        do { return try ApplyLock.acquire(in: state, command: command, timeout: lockTimeout, hostname: hostname) } catch {
            throw Failure("\(error)")
        }
    }

    func readJobs() throws(Failure) -> [LWKJobRecord] {
        do { return try state.readLWKJobs() } catch { throw Failure(error.withRemedy) }
    }

    func write(_ jobs: [LWKJobRecord]) throws(Failure) {
        do { try state.writeLWKJobs(jobs) } catch { throw Failure("cannot record the LWK jobs in \(state.file(StateDirectory.lwkJobsName).path): \(error)") }
    }
}
