import SosplanCommandLine
import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// `sosplan job prolog|epilog`: the pair slurm.conf's `Prolog=` and
/// `Epilog=` run (no SPANK plugin) to give a job that asks for an LWK
/// (`--constraint=<lwkPool.feature>`) an enclave of its size from the
/// layout's `spec.slurm.lwkPool`, and to take it away at the end.
enum JobCommand {
    static let spec = CommandSpec(
        name: "job",
        abstract: "Boot and destroy per-job LWK enclaves from Slurm's Prolog and Epilog.",
        subcommands: [JobPrologCommand.spec, JobEpilogCommand.spec])
}

/// What both halves need: the layout with the pool, the host, the lock wait.
struct JobOptions {
    static let options: [OptionSpec] = [
        .value("layout", "FILE", help: "The host layout whose spec.slurm.lwkPool the enclaves come from.", completion: .file, required: true),
        .value("lock-timeout", "SECONDS", help: "Seconds to wait for the lock held by an apply or another job's prolog or epilog.", default: "120"),
    ] + HostOptions.options

    var layout: String
    var lockTimeout: Double
    var host: HostOptions

    init(_ p: ParsedCommand) throws(UsageError) {
        layout = p.required("layout")
        lockTimeout = try p.double("lock-timeout")
        host = HostOptions(p)
    }

    func validate() throws {
        try host.validate()
        guard lockTimeout.isFinite, lockTimeout >= 0, lockTimeout <= 86_400 else {
            throw UsageError("--lock-timeout must be between 0 and 86400 seconds")
        }
    }

    /// The job's request as slurmd's environment states it.
    func request(feature: String) throws -> LWKJobRequest {
        do { return try LWKJobRequest.from(environment: ProcessInfo.processInfo.environment, feature: feature) } catch {
            throw Failure.report(error.description)
        }
    }

    func pool() throws -> LWKJobPool {
        let layout = try LayoutInput.load(self.layout)
        guard let pool = layout.lwkPool else {
            throw Failure.report("\(ControlCharacters.escaped(self.layout)) keeps no LWK job pool", hint: "add spec.slurm.lwkPool (see the README, Slurm)")
        }
        return pool
    }

    /// The co-kernel is looked for only for a job that concerns it: an
    /// ordinary job's prolog never fails (and drains the node) over it.
    func enclaves(_ pool: LWKJobPool) throws -> LWKJobEnclaves {
        let configuration = EnclaveToolConfiguration(toolsDirectory: host.toolsDir, root: host.root ?? "/")
        let drivers = EnclaveDrivers.available(configuration: configuration, stateDirectory: host.stateDirectory)
        guard let driver = drivers.first(where: { $0.driver == pool.driver }) else {
            throw Failure.report("the LWK pool's co-kernel \(pool.driver.rawValue) is not available on this host",
                                 hint: "`sosplan observe` says what is missing (its tools or its kernel module)")
        }
        return LWKJobEnclaves(pool: pool, driver: driver, state: host.stateDirectory, lockTimeout: lockTimeout)
    }
}

struct JobPrologCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "prolog",
        abstract: "In Slurm's Prolog: boot the job's enclave when it asks for an LWK.",
        discussion: """
            Reads SLURM_JOB_ID, SLURM_JOB_CONSTRAINTS and SLURM_JOB_CPUS_PER_NODE (what slurmd \
            gives a Prolog). A job whose constraint names the pool's feature gets an enclave \
            'slurm-job-ID' with as many of the pool's CPUs as Slurm gave it; other jobs are left \
            alone. Exit 1 (Slurm then drains the node and holds the job) when the pool is \
            exhausted or the co-kernel fails; nothing is left booted then.
            """,
        options: JobOptions.options)

    var options: JobOptions

    init(_ p: ParsedCommand) throws(UsageError) { options = try JobOptions(p) }

    func validate() throws { try options.validate() }

    func run() throws {
        let pool = try options.pool()
        let request = try options.request(feature: pool.feature)
        guard request.wantsLWK else {
            Terminal.out("job \(request.jobID): no LWK asked for\n")
            return
        }
        let enclaves = try options.enclaves(pool)
        do {
            switch try enclaves.prolog(request) {
            case .booted(let r):
                Terminal.out("job \(r.job): enclave \(r.enclave) booted (\(r.driver.rawValue), CPUs \(r.cpus), \(ByteSize(r.memory).humanReadable))\n")
            case .nothing, .destroyed:
                Terminal.out("job \(request.jobID): no LWK asked for\n")
            }
        } catch {
            throw Failure.report("job \(request.jobID): \(error.description)")
        }
    }
}

struct JobEpilogCommand: SosplanCommand {
    static let spec = CommandSpec(
        name: "epilog",
        abstract: "In Slurm's Epilog: destroy the job's enclave, also after scancel or a failed prolog.",
        options: JobOptions.options)

    var options: JobOptions

    init(_ p: ParsedCommand) throws(UsageError) { options = try JobOptions(p) }

    func validate() throws { try options.validate() }

    func run() throws {
        let pool = try options.pool()
        let request = try options.request(feature: pool.feature)
        // A job that asked for no LWK and has no record has nothing to undo:
        // its epilog neither waits for the lock nor needs the co-kernel.
        let recorded = (try? options.host.stateDirectory.readLWKJobs().contains { $0.job == request.jobID }) ?? true
        guard request.wantsLWK || recorded else {
            Terminal.out("job \(request.jobID): no enclave\n")
            return
        }
        let enclaves = try options.enclaves(pool)
        do {
            switch try enclaves.epilog(jobID: request.jobID) {
            case .destroyed(let r):
                Terminal.out("job \(r.job): enclave \(r.enclave) destroyed; CPUs \(r.cpus) back with Linux\n")
            case .nothing, .booted:
                Terminal.out("job \(request.jobID): no enclave\n")
            }
        } catch {
            throw Failure.report("job \(request.jobID): \(error.description)")
        }
    }
}
