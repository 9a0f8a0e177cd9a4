import SosplanCore
import SosplanTestSupport
import Testing

/// The plan keeps the Slurm node line in step with the job partition: one
/// `slurm.node` step after every other when the line would change, none
/// when it already says the right thing, and a note when sosplan cannot
/// see the node's drop-in.
@Suite struct SlurmPlanTests {
    static let layoutText = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: cn}
        spec:
          policy: {topology: none, smt: threads}
          host: {cpus: 2}
          services:
            - {name: web, units: [nginx.service], cpus: 2}
            - {name: compute, cpus: {count: 4, min: 0}}
          slurm: {jobs: compute, node: cn1}
        """

    static func plan(_ snapshot: HostSnapshot) throws -> Plan {
        let layout = try #require(LayoutDecoder.decode(layoutText, file: "cn.yaml").layout)
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        return try #require(result.plan, "\(result.diagnostics)")
    }

    static func host(line: SlurmNodeDefinition?) -> HostSnapshot {
        var s = SyntheticHost.snapshot(packages: 1, coresPerNode: 8)
        s.slurm = SlurmObservation(nodeConfig: "/etc/slurm/sosplan-node.conf", node: line)
        s.refreshFingerprint()
        return s
    }

    @Test func theLineSpecialisesEveryCPUOutsideTheJobPartitionAndComesLast() throws {
        let plan = try Self.plan(Self.host(line: SlurmNodeDefinition(name: "cn1", cpus: 8)))
        let step = try #require(plan.steps.last)
        #expect(step.action == .slurmNode && step.target == .slurmNode("cn1"))
        #expect(Set(step.dependsOn) == Set(plan.steps.dropLast().map(\.id)), "after every other step")
        let line = try #require(step.after[SlurmNodeStep.lineKey]?.stringValue)
        let node = try SlurmNodeDefinition.parse(fileText: line)
        let jobs = try #require(plan.placement.service("compute")?.cpus)
        #expect(jobs.count == 4)
        // One socket of eight single-thread cores: Slurm's abstract ids are the CPU ids.
        #expect(node.cpus == 8 && CPUSet(node.cpuSpecList) == CPUSet(0..<8).subtracting(jobs), "\(line)")
        #expect(step.before[SlurmNodeStep.lineKey]?.stringValue == "NodeName=cn1 CPUs=8 State=UNKNOWN")
    }

    @Test func aLineThatIsAlreadyRightIsLeftAlone() throws {
        let first = try Self.plan(Self.host(line: nil))
        let step = try #require(first.steps.first { $0.action == .slurmNode })
        #expect(step.before[SlurmNodeStep.lineKey] == .null)
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(first, to: Self.host(line: nil))
        let again = try Self.plan(after)
        #expect(!again.steps.contains { $0.action == .slurmNode }, "\(PlanFormatter.text(again))")
    }

    @Test func withoutTheDropInThePlanSaysWhySlurmIsLeftAlone() throws {
        var s = Self.host(line: nil)
        s.slurm = nil
        s.refreshFingerprint()
        let plan = try Self.plan(s)
        #expect(!plan.steps.contains { $0.action == .slurmNode })
        #expect(plan.notes.contains { $0.contains("--slurm-node-config") }, "\(plan.notes)")
    }
}
