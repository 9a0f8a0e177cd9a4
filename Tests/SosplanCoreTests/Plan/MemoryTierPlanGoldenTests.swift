import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Plans by memory tier on the machines that have them (sosplan's snapshots
/// of hwloc's test machines): `memory.tier: hbm` takes the HBM nodes
/// nearest the owner's CPUs, with the policy's NUMAPolicy= nodes (DRAM
/// behind it when `preferred`); a tier the host lacks is an error at the
/// memory line. Goldens under Tests/Goldens/DevicePlans, beside the
/// `near:` ones (DevicePlanGoldenTests).
@Suite struct MemoryTierPlanGoldenTests {
    struct TierCase: Sendable, CustomStringConvertible {
        var name: String
        var fixture: String
        var cpusNUMA: Int
        var memory: String
        /// The nodes the memory must come from (nil: refused).
        var expectedNodes: CPUSet?
        var expectedPolicyNodes: CPUSet?
        var description: String { name }
    }

    /// fakeheteromemtiers: DRAM nodes 0 and 1, node 2 HBM with CPUs, node 4
    /// HBM whose HMAT initiator is node 1, NVM nodes 6, 8, 9.
    static let tierCases = [
        TierCase(name: "hbm-bind-node1", fixture: "fakeheteromemtiers", cpusNUMA: 1, memory: "{tier: hbm, policy: bind}",
                 expectedNodes: CPUSet([4]), expectedPolicyNodes: CPUSet([4])),
        TierCase(name: "hbm-interleave-node1", fixture: "fakeheteromemtiers", cpusNUMA: 1, memory: "{tier: hbm, policy: interleave}",
                 expectedNodes: CPUSet([4]), expectedPolicyNodes: CPUSet([4])),
        TierCase(name: "hbm-preferred-node1", fixture: "fakeheteromemtiers", cpusNUMA: 1, memory: "{tier: hbm, policy: preferred}",
                 expectedNodes: CPUSet([1, 4]), expectedPolicyNodes: CPUSet([4])),
        TierCase(name: "hbm-only-node1", fixture: "fakeheteromemtiers", cpusNUMA: 1, memory: "{tier: hbm}",
                 expectedNodes: CPUSet([4]), expectedPolicyNodes: nil),
        TierCase(name: "hbm-own-node2", fixture: "fakeheteromemtiers", cpusNUMA: 2, memory: "{tier: hbm, policy: interleave}",
                 expectedNodes: CPUSet([2]), expectedPolicyNodes: CPUSet([2])),
        TierCase(name: "dram-interleave-node1", fixture: "fakeheteromemtiers", cpusNUMA: 1, memory: "{tier: dram, policy: interleave}",
                 expectedNodes: CPUSet([1]), expectedPolicyNodes: CPUSet([1])),
        TierCase(name: "hbm-missing", fixture: "fakememinitiators-1np2c+1npp+gi", cpusNUMA: 0, memory: "{tier: hbm, policy: interleave}",
                 expectedNodes: nil, expectedPolicyNodes: nil),
    ]

    @Test(arguments: tierCases)
    func memoryTierComesFromTheNearestNodesOfTheTier(_ c: TierCase) throws {
        let snapshot = try DevicePlanGoldenTests.snapshot(c.fixture)
        let yaml = """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: tiers}
            spec:
              policy: {topology: restricted, smt: threads}
              host: {cpus: 1}
              services:
                - name: solver
                  exec: [/opt/solver]
                  cpus: {count: 1, numa: \(c.cpusNUMA)}
                  memory: \(c.memory)
            """
        let (result, text) = try DevicePlanGoldenTests.plan(yaml, file: "\(c.name).yaml", on: snapshot)
        let outcome = Golden.check(text, against: DevicePlanGoldenTests.golden("tier-\(c.name)@\(c.fixture)"))
        #expect(outcome.isMatch, "\(outcome.message)")
        if let expected = c.expectedNodes {
            let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
            let placed = try #require(plan.placement.service("solver"))
            #expect(placed.memoryNodes == expected)
            #expect(placed.policyNodes == c.expectedPolicyNodes)
            #expect(placed.memoryTier == (c.memory.contains("hbm") ? .hbm : .dram))
            // The exec unit carries the policy; carried out (simulated), nothing is left to do.
            let create = try #require(plan.steps.first { $0.action == .unitCreate })
            #expect(NUMAPolicySetting(planProperties: create.after) == placed.memoryPolicy.map { NUMAPolicySetting($0, nodes: placed.policyNodes ?? CPUSet()) })
            let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: snapshot)
            let again = try #require(try DevicePlanGoldenTests.plan(yaml, file: "\(c.name).yaml", on: after).result.plan)
            #expect(!again.changes, "\(PlanFormatter.text(again))")
        } else {
            #expect(result.plan == nil)
            let error = try #require(result.diagnostics.first { $0.severity == .error })
            #expect(error.message.contains("memory.tier: this host has no hbm memory"))
            #expect(error.mark?.line == 11, "at the memory line")
        }
    }

    /// An enclave's co-kernel memory of a tier: interleaved over the HBM
    /// nearest its CPUs, or HBM first and DRAM behind it.
    @Test(arguments: ["interleave", "bind", "preferred"])
    func enclaveMemoryOfATier(_ policy: String) throws {
        let snapshot = try DevicePlanGoldenTests.snapshot("fakeheteromemtiers")
        let hbm = try #require(snapshot.topology.node(4)).freeBytes
        // preferred: more than node 4 holds, so the rest comes from DRAM behind it.
        let size = policy == "preferred" ? ByteSize(hbm + (64 << 20)) : ByteSize(128 << 20)
        let yaml = """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: enclave-tiers}
            spec:
              policy: {topology: restricted, smt: threads}
              host: {cpus: 1}
              enclaves:
                - name: lwk0
                  driver: pisces
                  cpus: {count: 1, numa: 1}
                  memory: {size: \(size.bytes), tier: hbm, policy: \(policy)}
            """
        let (result, text) = try DevicePlanGoldenTests.plan(yaml, file: "enclave-\(policy).yaml", on: snapshot)
        let outcome = Golden.check(text, against: DevicePlanGoldenTests.golden("tier-enclave-hbm-\(policy)@fakeheteromemtiers"))
        #expect(outcome.isMatch, "\(outcome.message)")
        let memory = try #require(result.plan?.placement.enclave("lwk0")?.memory, "\(DiagnosticFormatter.text(result.diagnostics))")
        if policy == "preferred" {
            // Pisces reserves memory in 128Mi blocks.
            #expect(memory.first { $0.node == 4 }?.bytes == hbm / (128 << 20) * (128 << 20))
            #expect(memory.contains { $0.node == 1 })
        } else {
            #expect(memory == [MemoryChunk(node: 4, bytes: size.bytes)])
        }
    }

    /// The two examples on the machines they were written for (the example
    /// goldens under Goldens/Plans plan them on hosts without these devices
    /// and tiers): each service near its device's node, the HBM nearest
    /// each owner's CPUs, and nothing left to do once carried out.
    @Test(arguments: [("near-devices", "32em64t-2n8c+1mic"), ("hbm-tiers", "fakeheteromemtiers")])
    func examplesPlanOnTheMachinesTheyDescribe(_ example: String, _ fixture: String) throws {
        let snapshot = try DevicePlanGoldenTests.snapshot(fixture)
        let file = "Examples/\(example).yaml"
        let yaml = try String(contentsOf: RepositoryPaths.examples.appendingPathComponent("\(example).yaml"), encoding: .utf8)
        let (result, text) = try DevicePlanGoldenTests.plan(yaml, file: file, on: snapshot)
        let outcome = Golden.check(text, against: DevicePlanGoldenTests.golden("example-\(example)@\(fixture)"))
        #expect(outcome.isMatch, "\(outcome.message)")
        let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
        if example == "near-devices" {
            for (service, device, node) in [("lustre-router", "mlx4_0", 1), ("burst-buffer", "nvme0n1", 0)] {
                let placed = try #require(plan.placement.service(service))
                #expect(placed.near?.map(\.device) == [device] && placed.near?.allSatisfy(\.met) == true)
                #expect(placed.cpus.isSubset(of: try #require(snapshot.topology.node(node)).cpus), "\(service): \(placed.cpus)")
                #expect(placed.memoryNodes == CPUSet([node]))
            }
        } else {
            let stencil = try #require(plan.placement.service("stencil"))
            #expect(stencil.memoryTier == .hbm && stencil.memoryPolicy == .interleave && stencil.policyNodes == CPUSet([4]))
            let postproc = try #require(plan.placement.service("postproc"))
            #expect(postproc.memoryPolicy == .preferred && postproc.memoryNodes.contains(0),
                    "preferred: DRAM behind the HBM")
            #expect(plan.placement.enclave("lwk0")?.memory == [MemoryChunk(node: 2, bytes: 256 << 20)])
        }
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: snapshot)
        let again = try #require(try DevicePlanGoldenTests.plan(yaml, file: file, on: after).result.plan)
        #expect(!again.changes, "\(PlanFormatter.text(again))")
    }
}
