import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Plans on the machines with devices and memory tiers (sosplan's snapshots
/// of hwloc's test machines): a service `near:` a device gets CPUs on the
/// device's node under every topology policy; when another owner fills that
/// node, `restricted` and `single-numa-node` refuse it at the `near:` line,
/// naming the device and its node, and `best-effort` places it elsewhere and
/// says so; `memory.tier: hbm` takes the HBM nodes nearest the service's
/// CPUs, with the policy's NUMAPolicy= nodes. Each plan (or its
/// diagnostics) is a golden under Tests/Goldens/DevicePlans.
@Suite struct DevicePlanGoldenTests {
    struct NearCase: Sendable, CustomStringConvertible {
        var fixture: String
        /// As the layout names it.
        var device: String
        /// Its node on that machine.
        var node: Int
        var description: String { "\(device)@\(fixture)" }
    }

    /// A device of each kind of machine, named each way a layout can:
    /// RDMA name, interface name, class and index, PCI address.
    static let nearCases = [
        NearCase(fixture: "32em64t-2n8c+1mic", device: "mlx4_0", node: 1),
        NearCase(fixture: "32em64t-2n8c+1mic", device: "nvme0n1", node: 0),
        NearCase(fixture: "40intel64-2g2n4c+pci", device: "ib0", node: 2),
        NearCase(fixture: "fakepcilocalities", device: "qib0", node: 1),
        NearCase(fixture: "nvidiagpunumanodes", device: "gpu:3", node: 8),
        NearCase(fixture: "32intel64-2p8co2t+8ve", device: "0000:3d:00.0", node: 0),
    ]
    static let policies = ["best-effort", "restricted", "single-numa-node"]
    static let cases: [(NearCase, String, Bool)] = nearCases.flatMap { c in policies.flatMap { p in [(c, p, false), (c, p, true)] } }

    static func snapshot(_ fixture: String) throws -> HostSnapshot {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/\(fixture).json")
        return try HostSnapshot.decode(json: String(contentsOf: url, encoding: .utf8))
    }

    /// A layout with a service near the device; with `full`, an owner with
    /// an explicit list of every other CPU of the device's node comes first.
    static func nearLayout(_ c: NearCase, policy: String, full: Bool, snapshot: HostSnapshot) -> String {
        var yaml = """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: near-test}
            spec:
              policy: {topology: \(policy), smt: threads}
              host: {cpus: 1}
              services:
                - name: fabric
                  exec: [/usr/bin/fabric-agent]
                  cpus: 4
                  near: "\(c.device)"

            """
        if full {
            // The host keeps the lowest online CPU's core; the rest of the node goes to the filler.
            let t = snapshot.topology
            let hostCore = t.cpus.first { $0.online }.map(\.threadSiblings) ?? CPUSet()
            let rest = (t.node(c.node)?.cpus ?? CPUSet()).intersection(t.onlineCPUs).subtracting(hostCore)
            yaml += """
                    - name: filler
                      exec: [/usr/bin/filler]
                      cpus: {list: "\(rest)", numa: \(c.node)}

                """
        }
        return yaml
    }

    static func plan(_ yaml: String, file: String, on snapshot: HostSnapshot) throws -> (result: Planner.Result, text: String) {
        let layout = try #require(LayoutDecoder.decode(Array(yaml.utf8), file: file).layout)
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        var text = DiagnosticFormatter.text(result.diagnostics)
        if let plan = result.plan { text += PlanFormatter.text(plan) + "(exit \(plan.changes ? 2 : 0))\n" } else { text += "(exit 1)\n" }
        return (result, text)
    }

    static func golden(_ name: String) -> URL {
        RepositoryPaths.tests.appendingPathComponent("Goldens/DevicePlans/\(name).txt")
    }

    @Test(arguments: cases)
    func nearServiceGoesToItsDevicesNode(_ c: NearCase, _ policy: String, _ full: Bool) throws {
        let snapshot = try Self.snapshot(c.fixture)
        let device = try #require(snapshot.topology.device(try DeviceReference.parse(c.device).get()), "\(c)")
        #expect(device.node == c.node || snapshot.topology.localNodes(of: device) == CPUSet([c.node]))
        let yaml = Self.nearLayout(c, policy: policy, full: full, snapshot: snapshot)
        let name = "near-\(c.device.replacingOccurrences(of: ":", with: "_"))@\(c.fixture)@\(policy)\(full ? "-full" : "")"
        let (result, text) = try Self.plan(yaml, file: "\(name).yaml", on: snapshot)
        let outcome = Golden.check(text, against: Self.golden(name))
        #expect(outcome.isMatch, "\(outcome.message)")

        let nodeCPUs = try #require(snapshot.topology.node(c.node)).cpus
        if !full {
            let placed = try #require(result.plan?.placement.service("fabric"), "\(DiagnosticFormatter.text(result.diagnostics))")
            #expect(placed.cpus.count == 4 && placed.cpus.isSubset(of: nodeCPUs), "\(placed.cpus) on node \(c.node)")
            #expect(placed.near?.map(\.met) == [true])
            #expect(placed.near?.first?.nodes == CPUSet([c.node]))
        } else if policy == "best-effort" {
            let placed = try #require(result.plan?.placement.service("fabric"), "\(DiagnosticFormatter.text(result.diagnostics))")
            #expect(placed.cpus.count == 4 && placed.cpus.isDisjoint(with: nodeCPUs))
            #expect(placed.near?.map(\.met) == [false])
            #expect(result.plan?.notes.contains { $0.contains("does not fit near \(c.device)") } == true)
        } else {
            #expect(result.plan == nil)
            let errors = result.diagnostics.filter { $0.severity == .error }
            #expect(errors.count == 1)
            let error = try #require(errors.first)
            #expect(error.message.contains("near \(c.device)") && error.message.contains("NUMA node \(c.node)"), "\(error.message)")
            // At the `near:` line of the layout.
            let nearLine = yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("near:") }.map { $0 + 1 }
            #expect(error.mark?.line == nearLine)
        }
    }

    /// A device whose locality is the whole machine is near every node:
    /// nothing to place near, said in a note.
    @Test func aDeviceWithoutLocalityConstrainsNothing() throws {
        let snapshot = try Self.snapshot("40intel64-4n10c+pci-conflicts")
        let c = NearCase(fixture: "40intel64-4n10c+pci-conflicts", device: "sda", node: 0)
        let (result, text) = try Self.plan(Self.nearLayout(c, policy: "single-numa-node", full: false, snapshot: snapshot), file: "near-sda.yaml", on: snapshot)
        let outcome = Golden.check(text, against: Self.golden("near-sda@40intel64-4n10c+pci-conflicts@single-numa-node"))
        #expect(outcome.isMatch, "\(outcome.message)")
        let plan = try #require(result.plan)
        #expect(plan.placement.service("fabric")?.near == nil)
        #expect(plan.notes.contains { $0.contains("sda") && $0.contains("no NUMA locality") })
    }

    /// Devices on two nodes: restricted keeps the service on those two,
    /// single-numa-node cannot hold it near both.
    @Test func devicesOnTwoNodes() throws {
        let snapshot = try Self.snapshot("32em64t-2n8c+1mic")
        for policy in ["restricted", "single-numa-node"] {
            let yaml = """
                apiVersion: sosplan/v1
                kind: HostLayout
                metadata: {name: two-devices}
                spec:
                  policy: {topology: \(policy), smt: threads}
                  services:
                    - name: mover
                      exec: [/usr/bin/mover]
                      cpus: 12
                      near: [mlx4_0, nvme0n1]
                """
            let (result, text) = try Self.plan(yaml, file: "two-devices.yaml", on: snapshot)
            let outcome = Golden.check(text, against: Self.golden("near-two-devices@32em64t-2n8c+1mic@\(policy)"))
            #expect(outcome.isMatch, "\(outcome.message)")
            if policy == "restricted" {
                let placed = try #require(result.plan?.placement.service("mover"))
                #expect(Set(placed.near?.map(\.device) ?? []) == ["mlx4_0", "nvme0n1"])
                #expect(placed.near?.allSatisfy(\.met) == true, "12 CPUs on the two devices' nodes")
                #expect(placed.memoryNodes == CPUSet([0, 1]))
            } else {
                #expect(result.plan == nil)
                #expect(result.diagnostics.contains { $0.message.contains("single-numa-node keeps an owner on one node") })
            }
        }
    }

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
        let snapshot = try Self.snapshot(c.fixture)
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
        let (result, text) = try Self.plan(yaml, file: "\(c.name).yaml", on: snapshot)
        let outcome = Golden.check(text, against: Self.golden("tier-\(c.name)@\(c.fixture)"))
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
            let again = try #require(try Self.plan(yaml, file: "\(c.name).yaml", on: after).result.plan)
            #expect(!again.changes, "\(PlanFormatter.text(again))")
        } else {
            #expect(result.plan == nil)
            let error = try #require(result.diagnostics.first { $0.severity == .error })
            #expect(error.message.contains("memory.tier: this host has no hbm memory"))
            #expect(error.mark?.line == 11, "at the memory line")
        }
    }

    /// Carrying out a plan (simulated) and planning again changes nothing,
    /// also when best-effort placed a service away from its device.
    @Test(arguments: cases)
    func replanningAfterTheApplyChangesNothing(_ c: NearCase, _ policy: String, _ full: Bool) throws {
        let snapshot = try Self.snapshot(c.fixture)
        let yaml = Self.nearLayout(c, policy: policy, full: full, snapshot: snapshot)
        let plan = try Self.plan(yaml, file: "near.yaml", on: snapshot).result.plan
        // Only a full node under a strict policy is refused.
        #expect((plan == nil) == (full && policy != "best-effort"))
        if let plan {
            let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: snapshot)
            let again = try #require(try Self.plan(yaml, file: "near.yaml", on: after).result.plan)
            #expect(!again.changes, "\(PlanFormatter.text(again))")
            #expect(again.placement == plan.placement)
        }
    }

    /// The plan JSON says which device and tier drove each placement, in
    /// the contract's words (Schemas/plan.schema.json).
    @Test func devicePlansFollowThePlanSchema() throws {
        var documents: [(String, String)] = []
        for c in Self.nearCases {
            let snapshot = try Self.snapshot(c.fixture)
            for full in [false, true] {
                let yaml = Self.nearLayout(c, policy: "best-effort", full: full, snapshot: snapshot)
                let plan = try #require(try Self.plan(yaml, file: "near.yaml", on: snapshot).result.plan)
                #expect(plan.jsonValue()["placement"]?["services"]?["fabric"]?["near"]?.arrayValue?.first?["met"]?.boolValue == !full)
                documents.append(("\(c) full=\(full)", plan.jsonText()))
            }
        }
        for c in Self.tierCases where c.expectedNodes != nil {
            let yaml = """
                apiVersion: sosplan/v1
                kind: HostLayout
                metadata: {name: tiers}
                spec:
                  services:
                    - name: solver
                      exec: [/opt/solver]
                      cpus: {count: 1, numa: \(c.cpusNUMA)}
                      memory: \(c.memory)
                """
            let plan = try #require(try Self.plan(yaml, file: "tiers.yaml", on: try Self.snapshot(c.fixture)).result.plan)
            let json = plan.jsonValue()["placement"]?["services"]?["solver"]
            #expect(json?["memoryTier"]?.stringValue == (c.memory.contains("hbm") ? "hbm" : "dram"))
            documents.append((c.name, plan.jsonText()))
        }
        let verdicts = try SchemaCheck.validate(documents, against: "plan.schema.json")
        #expect(verdicts.count == documents.count)
        for (name, verdict) in verdicts.sorted(by: { $0.key < $1.key }) {
            #expect(verdict.valid, "\(name): \(verdict.errors)")
        }
    }

    /// An enclave's co-kernel memory of a tier: interleaved over the HBM
    /// nearest its CPUs, or HBM first and DRAM behind it.
    @Test(arguments: ["interleave", "bind", "preferred"])
    func enclaveMemoryOfATier(_ policy: String) throws {
        let snapshot = try Self.snapshot("fakeheteromemtiers")
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
        let (result, text) = try Self.plan(yaml, file: "enclave-\(policy).yaml", on: snapshot)
        let outcome = Golden.check(text, against: Self.golden("tier-enclave-hbm-\(policy)@fakeheteromemtiers"))
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
}
