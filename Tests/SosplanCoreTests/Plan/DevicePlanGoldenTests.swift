import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Plans on the machines with devices and memory tiers (sosplan's snapshots
/// of hwloc's test machines): a service `near:` a device gets CPUs on the
/// device's node under every topology policy; when another owner fills that
/// node, `restricted` and `single-numa-node` refuse it at the `near:` line,
/// naming the device and its node, and `best-effort` places it elsewhere and
/// says so (memory tiers: MemoryTierPlanGoldenTests). Each plan (or its
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
        for c in MemoryTierPlanGoldenTests.tierCases where c.expectedNodes != nil {
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

    /// A saved plan is any file: the device it names reaches the terminal
    /// escaped, like every other name in it.
    @Test func aDeviceNameFromASavedPlanIsShownEscaped() throws {
        let c = NearCase(fixture: "40intel64-2g2n4c+pci", device: "ib0", node: 2)
        let snapshot = try Self.snapshot(c.fixture)
        var plan = try #require(try Self.plan(Self.nearLayout(c, policy: "restricted", full: false, snapshot: snapshot), file: "near.yaml", on: snapshot).result.plan)
        let i = try #require(plan.placement.services.firstIndex { $0.name == "fabric" })
        plan.placement.services[i].value.near?[0].device = "ib0\u{1B}[2J\n"
        let text = PlanFormatter.text(plan)
        #expect(text.contains("near ib0\\e[2J\\n (node 2)"), "\(text)")
        #expect(!text.contains("\u{1B}"))
    }
}
