import SosplanCore
import SosplanTestSupport
import Testing

/// `spec.slurm.lwkPool`: read with located diagnostics, kept out of every
/// Linux slice and out of Slurm's node line, and shared out per job from
/// the environment slurmd gives a Prolog.
@Suite struct LWKJobPoolTests {
    static func layoutText(pool: String) -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: cn}
        spec:
          policy: {topology: none, smt: threads}
          host: {cpus: 2}
          services:
            - {name: web, units: [nginx.service], cpus: 1}
            - {name: compute, cpus: {count: 2, min: 0, max: 64}}
            - {name: batch, units: [batch.service], cpus: shared}
          slurm:
            jobs: compute
            node: cn1
            features: [lwk]
            lwkPool:
        \(pool)
        """
    }

    static let goodPool = """
              driver: mckernel
              cpus: "4-7"
              memory: 4Gi
              maxCPUsPerJob: 2
        """

    @Test func thePoolIsRead() throws {
        let result = LayoutDecoder.decode(Self.layoutText(pool: Self.goodPool), file: "cn.yaml")
        let pool = try #require(result.layout?.lwkPool, "\(result.diagnostics)")
        #expect(pool.driver == .mckernel && pool.cpus == CPUSet(4...7) && pool.memory == .gib(4))
        #expect(pool.maxCPUsPerJob == 2 && pool.feature == "lwk" && pool.numa == 0)
        #expect(pool.jobCPULimit == 2 && pool.memory(forCPUs: 2) == 2 << 30)
    }

    @Test(arguments: [
        ("      driver: mckernel\n      cpus: 4\n      memory: 4Gi", "cn.yaml:17:13:", "expected a CPU list"),
        ("      driver: mckernel\n      cpus: \"4-7\"\n      memory: 4Gi\n      maxCPUsPerJob: 9", "cn.yaml:19:22:", "the pool has 4"),
        ("      driver: mckernel\n      cpus: \"4-7\"\n      memory: 4Gi\n      feature: fast", "cn.yaml:19:", "does not offer feature 'fast'"),
        ("      driver: kitten\n      cpus: \"4-7\"\n      memory: 4Gi", "cn.yaml:16:15:", "is not one of"),
        ("      driver: mckernel\n      cpus: \"4-7\"", "cn.yaml:16:7:", "memory"),
    ])
    func badPoolsAreLocatedWithAHint(pool: String, location: String, message: String) throws {
        let result = LayoutDecoder.decode(Self.layoutText(pool: pool), file: "cn.yaml")
        let text = DiagnosticFormatter.text(result.diagnostics)
        #expect(result.layout == nil || result.layout?.lwkPool == nil, "\(text)")
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(location) }, "\(text)")
        #expect(line.contains(message), "\(text)")
    }

    @Test func thePlanKeepsThePoolOutOfLinuxAndOutOfSlurm() throws {
        let layout = try #require(LayoutDecoder.decode(Self.layoutText(pool: Self.goodPool), file: "cn.yaml").layout)
        var snapshot = SyntheticHost.snapshot(packages: 1, coresPerNode: 8)
        snapshot.slurm = SlurmObservation(nodeConfig: "/etc/slurm/sosplan-node.conf", node: SlurmNodeDefinition(name: "cn1", cpus: 8))
        snapshot.refreshFingerprint()
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        let plan = try #require(result.plan, "\(result.diagnostics)")
        let pool = CPUSet(4...7)
        #expect(plan.placement.host.cpus.isDisjoint(with: pool))
        #expect(plan.placement.shared.cpus.isDisjoint(with: pool) && !plan.placement.shared.cpus.isEmpty)
        for service in ["web", "compute", "batch"] {
            let cpus = try #require(plan.placement.service(service)?.cpus)
            #expect(!cpus.isEmpty && cpus.isDisjoint(with: pool), "\(service): \(cpus)")
        }
        let step = try #require(plan.steps.first { $0.action == .slurmNode })
        let node = try SlurmNodeDefinition.parse(fileText: try #require(step.after[SlurmNodeStep.lineKey]?.stringValue))
        // Slurm counts only CPUs 0-3: the pool is neither the job partition nor specialised.
        #expect(node.cpus == 4, "\(node)")
        let jobs = try #require(plan.placement.service("compute")?.cpus)
        #expect(CPUSet(node.cpuSpecList) == CPUSet(0...3).subtracting(jobs))
    }

    @Test func aPoolOnCPUsTheHostLacksIsAnErrorAtItsLine() throws {
        let pool = Self.goodPool.replacingOccurrences(of: "\"4-7\"", with: "\"6-9\"")
        let layout = try #require(LayoutDecoder.decode(Self.layoutText(pool: pool), file: "cn.yaml").layout)
        let result = Planner(layout: layout, snapshot: SyntheticHost.snapshot(packages: 1, coresPerNode: 8), capabilities: EnclaveCapabilities.known).plan()
        let text = DiagnosticFormatter.text(result.diagnostics)
        #expect(result.plan == nil)
        #expect(text.contains("cn.yaml:17:13: error: spec.slurm.lwkPool.cpus: CPUs 8-9 are not present on this host"), "\(text)")
    }

    @Test func aJobEnclaveIsLeftToItsEpilog() throws {
        let layout = try #require(LayoutDecoder.decode(Self.layoutText(pool: Self.goodPool), file: "cn.yaml").layout)
        var snapshot = SyntheticHost.snapshot(packages: 1, coresPerNode: 8)
        snapshot.enclaves = [EnclaveInstance(driver: .mckernel, instance: "0", name: "slurm-job-7", state: "running", cpus: CPUSet(4...5), memory: [])]
        snapshot.refreshFingerprint()
        let plan = try #require(Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan().plan)
        #expect(!plan.steps.contains { $0.action == .enclaveDestroy }, "\(PlanFormatter.text(plan))")
    }

    @Test func theRequestComesFromSlurmdsEnvironment() throws {
        let r = try LWKJobRequest.from(
            environment: ["SLURM_JOB_ID": "42", "SLURM_JOB_CONSTRAINTS": "[ib|lwk]&big", "SLURM_JOB_CPUS_PER_NODE": "2(x3)"], feature: "lwk")
        #expect(r == LWKJobRequest(jobID: 42, wantsLWK: true, cpus: 2) && r.enclaveName == "slurm-job-42")
        #expect(try !LWKJobRequest.from(environment: ["SLURM_JOB_ID": "42", "SLURM_JOB_CONSTRAINTS": "lwkx"], feature: "lwk").wantsLWK)
        #expect(try !LWKJobRequest.from(environment: ["SLURM_JOB_ID": "42"], feature: "lwk").wantsLWK)
        for bad in ["", "-1", "4 2", "1;rm", "0", "99999999999999999999"] {
            #expect(throws: LWKJobRequest.Problem.self) { try LWKJobRequest.from(environment: ["SLURM_JOB_ID": bad], feature: "lwk") }
        }
        #expect(throws: LWKJobRequest.Problem.self) { try LWKJobRequest.from(environment: [:], feature: "lwk") }
        #expect(LWKJobRequest.isJobEnclaveName("slurm-job-9") && !LWKJobRequest.isJobEnclaveName("slurm-job-x"))
    }

    @Test func jobsShareThePoolOrAreRefusedWithTheReason() throws {
        let pool = LWKJobPool(driver: .mckernel, cpus: CPUSet(4...7), memory: .gib(4), maxCPUsPerJob: 3)
        let first = try pool.allocate(LWKJobRequest(jobID: 1, wantsLWK: true, cpus: 3), taken: CPUSet()).get()
        #expect(first.cpus == CPUSet(4...6) && first.memory == 3 << 30)
        let second = try pool.allocate(LWKJobRequest(jobID: 2, wantsLWK: true, cpus: 1), taken: first.cpus).get()
        #expect(second.cpus == CPUSet([7]))
        let full = try #require(Self.refusal(pool.allocate(LWKJobRequest(jobID: 3, wantsLWK: true, cpus: 1), taken: CPUSet(4...7))))
        #expect(full.description.contains("exhausted") && full.description.contains("job 3"))
        let big = try #require(Self.refusal(pool.allocate(LWKJobRequest(jobID: 4, wantsLWK: true, cpus: 4), taken: CPUSet())))
        #expect(big.description.contains("at most 3"))
    }

    static func refusal<T>(_ r: Result<T, LWKJobRequest.Problem>) -> LWKJobRequest.Problem? {
        if case .failure(let p) = r { return p }
        return nil
    }
}

/// `sosplan status` while LWK jobs run: their enclaves and the pool CPUs
/// they took are no drift; anything else still is.
@Suite struct LWKJobDriftTests {
    @Test func aRunningJobsEnclaveIsNoDriftButOtherChangesAre() throws {
        let pool = LWKJobPool(driver: .mckernel, cpus: CPUSet(4...7), memory: .gib(1))
        let applied = SyntheticHost.snapshot(packages: 1, coresPerNode: 8)
        var now = applied
        for i in now.topology.cpus.indices where [1, 4].contains(now.topology.cpus[i].id) {
            now.topology.cpus[i].online = false
            if now.topology.cpus[i].id == 4 { now.topology.cpus[i].owner = "enclave:slurm-job-7" }
        }
        now.enclaves = [EnclaveInstance(driver: .mckernel, instance: "0", name: "slurm-job-7", state: "running", cpus: CPUSet([4]), memory: [])]
        let drift = Drift.between(applied: applied, now: now, replanned: [])
        #expect(drift.contains { $0.target == "CPU 4" } && drift.contains { $0.target == "enclave:slurm-job-7" }, "\(drift)")
        let left = Drift.withoutLWKJobs(drift, pool: pool, now: now)
        #expect(left.map(\.target) == ["CPU 1"], "\(left)")
    }
}
