import FoundationEssentials
import SosplanCore

/// One job's enclave in `lwk-jobs.json`: written (durably) before its
/// enclave is created, so an epilog after a killed or half-failed prolog
/// still knows what to destroy; removed once the enclave is gone.
public struct LWKJobRecord: Codable, Sendable, Hashable {
    public enum Phase: String, Codable, Sendable, Hashable {
        /// The prolog chose these CPUs and is creating the enclave.
        case booting
        /// The enclave is up.
        case up
    }

    public var job: UInt64
    public var enclave: String
    public var driver: EnclaveDriverKind
    public var cpus: CPUSet
    public var memory: UInt64
    public var phase: Phase
    public var since: String

    public init(job: UInt64, enclave: String, driver: EnclaveDriverKind, cpus: CPUSet, memory: UInt64, phase: Phase, since: String) {
        self.job = job
        self.enclave = enclave
        self.driver = driver
        self.cpus = cpus
        self.memory = memory
        self.phase = phase
        self.since = since
    }
}

struct LWKJobFile: Codable {
    static let schemaID = "sosplan.lwk-jobs/v1"
    var schema: String
    var jobs: [LWKJobRecord]
}

extension StateDirectory {
    public static let lwkJobsName = "lwk-jobs.json"

    /// The recorded jobs, read as untrusted input: a damaged file is an
    /// error (never "no jobs", which would hand a job's CPUs to another);
    /// entries with a foreign enclave name or repeated CPUs are refused.
    public func readLWKJobs() throws(StateFileReader.Damage) -> [LWKJobRecord] {
        let path = file(Self.lwkJobsName).path
        let remedy = "compare it with `sosplan observe` (enclaves named slurm-job-N), fix or remove it, then run the jobs' epilogs again"
        guard let bytes = try StateFileReader.read(path, limit: StateFileReader.manifestLimit, remedy: remedy) else { return [] }
        func damage(_ problem: String) -> StateFileReader.Damage { .init(path: path, problem: problem, remedy: remedy) }
        let decoded: LWKJobFile
        do { decoded = try SchemaDocument.decode(LWKJobFile.self, schemaID: LWKJobFile.schemaID, json: bytes) } catch {
            if case .wrongSchema = error { throw damage("its schema is not \(LWKJobFile.schemaID)") }
            throw damage("it is not a job list (\(error))")
        }
        var seenCPUs = CPUSet(), seenJobs = Set<UInt64>()
        for r in decoded.jobs {
            guard r.enclave == LWKJobRequest.enclaveName(r.job) else { throw damage("job \(r.job) names enclave '\(ControlCharacters.shown(r.enclave, limit: 60))'") }
            guard seenJobs.insert(r.job).inserted, seenCPUs.isDisjoint(with: r.cpus) else { throw damage("job \(r.job) repeats a job or CPUs") }
            seenCPUs.formUnion(r.cpus)
        }
        return decoded.jobs
    }

    /// Replaces the list, durably (fsync of the file and the directory).
    public func writeLWKJobs(_ jobs: [LWKJobRecord]) throws {
        let file = LWKJobFile(schema: LWKJobFile.schemaID, jobs: jobs.sorted { $0.job < $1.job })
        let text = JSONWriter.pretty(try JSONValueEncoder().encode(file)) + "\n"
        try DurableFile.makeDirectory(url.path)
        try DurableFile.replace(self.file(Self.lwkJobsName).path, with: Array(text.utf8), mode: 0o644)
    }
}
