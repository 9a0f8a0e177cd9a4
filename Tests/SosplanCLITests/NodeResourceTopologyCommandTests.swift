import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// `sosplan observe --format nrt` as users run it: valid against the CRD's
/// schema for every topology archive, and on a 2-node host with hugepages
/// the numbers are the snapshot's, recomputed here.
@Suite struct NodeResourceTopologyCommandTests {
    static let schema = "noderesourcetopology-v1alpha2.schema.json"
    static let twoNodes = "32intel64-2p8co2t+8ve"

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func everyTopologyFixtureGivesAValidObject() throws {
        // hwloc 2.9.0's machines and the project's own VMs.
        try Self.validObjects(TopologyFixtures.hwlocNames + TopologyFixtures.repositoryNames)
    }

    @Test(.enabled(if: TopologyFixtures.laterAvailable, "\(TopologyFixtures.laterUnavailableReason ?? "")"))
    func everyLaterMachineGivesAValidObject() throws {
        try Self.validObjects(TopologyFixtures.laterNames)
    }

    static func validObjects(_ names: [String]) throws {
        var documents: [(name: String, text: String)] = []
        for (i, name) in names.enumerated() {
            let root = try TopologyFixtures.load(name).root.path
            let result = try CommandRunner.sosplan(["observe", "--root", root, "--format", "nrt", "--node-name", "fixture-\(i)"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let json = try JSONParser.parse(result.stdout)
            let snapshot = try HostObserver(topology: SysfsTopologyProbe(root: root)).observe()
            #expect(json["zones"]?.arrayValue?.count == snapshot.topology.nodes.count, "\(name)")
            #expect(json["metadata"]?["name"]?.stringValue == "fixture-\(i)")
            documents.append((name, result.stdout))
        }
        #expect(documents.count == names.count)
        let verdicts = try SchemaCheck.validate(documents, against: schema)
        for (name, _) in documents {
            #expect(verdicts[name]?.valid == true, "\(name): \(verdicts[name]?.errors ?? [])")
        }
        guard UpstreamNRTSchema.isAvailable else { try Test.cancel("\(UpstreamNRTSchema.skipped)") }
        #expect(try UpstreamNRTSchema.problems(documents) == [])
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func twoNodeNumbersAreTheSnapshots() throws {
        let root = try TopologyFixtures.load(Self.twoNodes).root.path
        let nrt = try CommandRunner.sosplan(["observe", "--root", root, "--format", "nrt", "--node-name", "node07"])
        #expect(nrt.status == 0, "\(nrt.stderr)")
        let snap = try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"])
        let object = try JSONParser.parse(nrt.stdout)
        let topology = try #require(try JSONParser.parse(snap.stdout)["topology"])
        let nodes = try #require(topology["nodes"]?.arrayValue)
        let cpus = try #require(topology["cpus"]?.arrayValue)
        let zones = try #require(object["zones"]?.arrayValue)
        try #require(nodes.count == 2 && zones.count == 2)

        func quantity(_ zone: JSONValue, _ name: String) -> [UInt64]? {
            guard let r = zone["resources"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else { return nil }
            return ["capacity", "allocatable", "available"].compactMap { r[$0]?.stringValue.flatMap { UInt64($0) } }
        }
        func int(_ v: JSONValue?) -> UInt64 {
            switch v {
            case .int(let i)?: return UInt64(i)
            case .uint(let u)?: return u
            default: return 0
            }
        }
        var sawHugepages = false, sawRemoteCost = false
        for (zone, node) in zip(zones, nodes) {
            let id = Int(int(node["id"]))
            #expect(zone["name"]?.stringValue == "node-\(id)")
            #expect(zone["type"]?.stringValue == "Node")
            let mine = cpus.filter { int($0["node"]) == UInt64(id) && $0["node"]?.isNull == false }
            let online = UInt64(mine.filter { $0["online"]?.boolValue == true }.count)
            #expect(quantity(zone, "cpu") == [online, online, online])

            let pools = node["hugepages"]?.arrayValue ?? []
            var pooled: UInt64 = 0
            for pool in pools {
                let size = int(pool["sizeBytes"]), bytes = int(pool["total"]) * size
                pooled += bytes
                sawHugepages = sawHugepages || bytes > 0
                let unit = size >= 1 << 30 ? "\(size >> 30)Gi" : "\(size >> 20)Mi"
                #expect(quantity(zone, "hugepages-\(unit)") == [bytes, bytes, bytes], "\(unit)")
            }
            let memory = int(node["memoryBytes"])
            #expect(quantity(zone, "memory") == [memory, memory - pooled, memory - pooled])

            let distances = node["distances"]?.arrayValue ?? []
            let costs = zone["costs"]?.arrayValue ?? []
            #expect(costs.count == nodes.count)
            for (cost, (other, distance)) in zip(costs, zip(nodes, distances)) {
                #expect(cost["name"]?.stringValue == "node-\(int(other["id"]))")
                #expect(int(cost["value"]) == int(distance))
                sawRemoteCost = sawRemoteCost || int(distance) > 10
            }
        }
        // The fixture really exercises hugepages and remote distances.
        #expect(sawHugepages && sawRemoteCost)
        // No kubelet configuration under the root: the kubelet's defaults.
        #expect(object["attributes"] == .array([
            .object([("name", .string("topologyManagerPolicy")), ("value", .string("none"))]),
            .object([("name", .string("topologyManagerScope")), ("value", .string("container"))]),
        ]))

        let golden = RepositoryPaths.tests.appendingPathComponent("Goldens/CLI/observe-nrt-\(Self.twoNodes).json")
        let outcome = Golden.check(nrt.stdout, against: golden)
        #expect(outcome.isMatch, "\(outcome.message)")
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func offlineCPUsAreNotAllocatable() throws {
        let root = try TopologyFixtures.load("16em64t-4s2c2t-offlines").root.path
        let snapshot = try HostObserver(topology: SysfsTopologyProbe(root: root)).observe()
        let result = try CommandRunner.sosplan(["observe", "--root", root, "--format", "nrt", "--node-name", "n"])
        let zone = try #require(try JSONParser.parse(result.stdout)["zones"]?.arrayValue?.first)
        let cpu = try #require(zone["resources"]?.arrayValue?.first { $0["name"]?.stringValue == "cpu" })
        #expect(!snapshot.topology.offlineCPUs.isEmpty)
        // Capacity is the zone's online CPUs, as the reference exporter counts them.
        let online = snapshot.topology.cpus.filter { $0.node == 0 && $0.online }.count
        #expect(online < snapshot.topology.cpus.filter { $0.node == 0 }.count)
        #expect(cpu["capacity"]?.stringValue == "\(online)" && cpu["allocatable"]?.stringValue == "\(online)")
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func nodeNamesAreCheckedWithAClearMessage() throws {
        let root = try TopologyFixtures.load(Self.twoNodes).root.path
        let unnamed = try CommandRunner.sosplan(["observe", "--root", root, "--format", "nrt"])
        #expect(unnamed.status == 1 && unnamed.stdout.isEmpty)
        #expect(unnamed.stderr.contains("error: the host has no host name") && unnamed.stderr.contains("hint: give the Kubernetes node's name with --node-name"))
        let bad = try CommandRunner.sosplan(["observe", "--root", root, "--format", "nrt", "--node-name", "Node_7"])
        #expect(bad.status == 1 && bad.stdout.isEmpty)
        #expect(bad.stderr.contains("'Node_7' cannot name a Kubernetes node"), "\(bad.stderr)")
        let scratch = try ScratchDirectory("nrt-hostname")
        defer { scratch.remove() }
        let copy = try scratch.copyFixture(Self.twoNodes)
        try ScratchDirectory.write("Compute-07\n", to: "proc/sys/kernel/hostname", in: copy)
        let named = try CommandRunner.sosplan(["observe", "--root", copy.path, "--format", "nrt"])
        #expect(named.status == 0, "\(named.stderr)")
        #expect(try JSONParser.parse(named.stdout)["metadata"]?["name"]?.stringValue == "compute-07")
    }
}
