import Foundation
import SosplanTestSupport
import Testing
@testable import SosplanCore

/// The NodeResourceTopology of a host as a layout left it, when the layout
/// gives the kubelet no slice of its own: a real 2-node snapshot, a layout
/// planned on it and the plan carried out by the simulator. Pods may then
/// have what no exclusive owner holds; the expected numbers are recomputed
/// here from the placement and the snapshot, zone by zone. (The kubelet's
/// own slice, its configuration and its pods: NodeResourceTopologyKubeletTests.)
@Suite struct NodeResourceTopologyBuilderTests {
    static let layoutText = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: nrt}
        spec:
          policy: {topology: single-numa-node}
          host: {cpus: 2, memory: 2Gi, confine: CONFINE}
          hugepages:
            - {size: 2Mi, count: 1024, numa: 0}
          enclaves:
            - {name: lwk0, driver: mckernel, cpus: {count: 8, numa: 1}, memory: [{size: 4Gi, numa: 1}]}
          services:
            - {name: web, units: [nginx.service], cpus: {count: 4, numa: 0}, memory: {min: 3Gi}}
            - {name: db, units: [postgres.service], cpus: {count: 2, numa: 0}, memory: {min: 1Gi, nodes: any}}
            - {name: batch, exec: [/usr/bin/batch], cpus: shared, memory: {min: 1Gi}}
            - {name: app, stack: "enclave:lwk0", exec: [/opt/app], cpus: 4}
        """

    struct Host {
        var layout: HostLayout
        var placement: Placement
        var snapshot: HostSnapshot
    }

    /// The layout applied (in simulation) to the 2-node snapshot fixture.
    static func applied(confine: Bool) throws -> Host {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/32intel64-2p8co2t+8ve.json")
        let before = try HostSnapshot.decode(json: try String(contentsOf: url, encoding: .utf8))
        let decoded = LayoutDecoder.decode(layoutText.replacingOccurrences(of: "CONFINE", with: "\(confine)"), file: "nrt.yaml")
        let layout = try #require(decoded.layout, "\(decoded.diagnostics)")
        let result = Planner(layout: layout, snapshot: before, capabilities: EnclaveCapabilities.known).plan()
        let plan = try #require(result.plan, "\(result.diagnostics)")
        let after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: before)
        return Host(layout: layout, placement: plan.placement, snapshot: after)
    }

    func numbers(_ zone: NodeResourceTopology.Zone, _ resource: String) -> [UInt64]? {
        zone.resource(resource).map { [$0.capacity, $0.allocatable, $0.available].compactMap { UInt64($0) } }
    }

    @Test(arguments: [true, false])
    func appliedLayoutNumbersFollowThePlacement(confine: Bool) throws {
        let host = try Self.applied(confine: confine)
        let p = host.placement
        let nrt = NodeResourceTopologyBuilder(
            snapshot: host.snapshot, applied: .init(layout: host.layout, placement: p)
        ).build(name: "node07")
        #expect(nrt.metadata.name == "node07")
        // The kubelet's Topology Manager settings, not the layout's policy:
        // no kubelet configuration here, so the kubelet's defaults.
        #expect(nrt.attributes == [
            .init(name: "topologyManagerPolicy", value: "none"), .init(name: "topologyManagerScope", value: "container"),
        ])
        #expect(nrt.topologyPolicies == nil)
        #expect(nrt.zones.map(\.name) == host.snapshot.topology.nodes.map { "node-\($0.id)" })

        let lwk = try #require(p.enclave("lwk0"))
        let exclusive = [p.service("web"), p.service("db")].compactMap { $0?.cpus }.reduce(CPUSet()) { $0.union($1) }
        #expect(exclusive.count == 6 && !(p.service("batch")?.cpus.isEmpty ?? true))
        let withMemory = host.snapshot.topology.nodes.filter { $0.memoryBytes > 0 }.map(\.id)
        for (zone, node) in zip(nrt.zones, host.snapshot.topology.nodes) {
            let online = CPUSet(host.snapshot.topology.cpus.filter { $0.node == node.id && $0.online }.map(\.id))
            var allocatable = online.subtracting(lwk.cpus).subtracting(exclusive)
            if confine { allocatable.subtract(p.host.cpus) }
            #expect(numbers(zone, "cpu") == [online.count, allocatable.count, allocatable.count].map(UInt64.init), "\(zone.name)")

            let hugepages = node.hugepages.map { UInt64($0.total) * $0.sizeBytes }.reduce(0, +)
            let enclave = lwk.memory.filter { $0.node == node.id }.map(\.bytes).reduce(0, +)
            // web: 3Gi on its CPUs' node; db: 1Gi over every node with memory;
            // batch runs on the shared pool: its 1Gi over its memory nodes.
            var services: UInt64 = 0
            for (name, bytes) in [("web", UInt64(3) << 30), ("db", 1 << 30), ("batch", 1 << 30)] {
                let placed = try #require(p.service(name))
                let nodes = placed.memoryNodes.isEmpty ? withMemory : placed.memoryNodes.sorted
                if nodes.contains(node.id) {
                    services += bytes / UInt64(nodes.count) + (node.id == nodes.first ? bytes % UInt64(nodes.count) : 0)
                }
            }
            let memory = node.memoryBytes - hugepages - enclave - services
            #expect(numbers(zone, "memory") == [node.memoryBytes, memory, memory], "\(zone.name)")
            for pool in node.hugepages {
                let bytes = UInt64(pool.total) * pool.sizeBytes
                let name = pool.sizeBytes == 2 << 20 ? "hugepages-2Mi" : pool.sizeBytes == 1 << 30 ? "hugepages-1Gi" : "?"
                #expect(numbers(zone, name) == [bytes, bytes, bytes], "\(zone.name) \(name)")
            }
        }
        // The enclave really took CPUs and memory of node 1 (offline, so not
        // in capacity either), the host and web of node 0.
        #expect(lwk.cpus.allSatisfy { host.snapshot.topology.cpu($0)?.node == 1 })
        #expect(numbers(nrt.zones[0], "cpu").map { $0[0] - $0[1] } == (confine ? 8 : 6))
    }

    @Test func withoutLayoutOfflineAndEnclaveResourcesAreNotAllocatable() throws {
        let host = try Self.applied(confine: true)
        let nrt = NodeResourceTopologyBuilder(snapshot: host.snapshot).build(name: "n")
        #expect(nrt.attribute("topologyManagerPolicy") == "none" && nrt.attribute("topologyManagerScope") == "container")
        #expect(nrt.topologyPolicies == nil)
        let instance = try #require(host.snapshot.enclaves.first)
        for (zone, node) in zip(nrt.zones, host.snapshot.topology.nodes) {
            let online = host.snapshot.topology.cpus.filter { $0.node == node.id && $0.online }
            let linux = online.filter { !instance.cpus.contains($0.id) }.count
            #expect(numbers(zone, "cpu") == [online.count, linux, linux].map(UInt64.init))
            let held = instance.memory.filter { $0.node == node.id }.map(\.bytes).reduce(0, +)
            let memory = node.memoryBytes - node.hugepages.map { UInt64($0.total) * $0.sizeBytes }.reduce(0, +) - held
            #expect(numbers(zone, "memory") == [node.memoryBytes, memory, memory])
        }
        #expect(instance.totalMemory == 4 << 30 && instance.cpus.count == 8)
    }

    @Test func costsNeedOneDistancePerNode() {
        var snapshot = SyntheticHost.snapshot(packages: 2, coresPerNode: 2)
        snapshot.topology.nodes[0].distances = [10, 20]
        snapshot.topology.nodes[1].distances = [20]
        let nrt = NodeResourceTopologyBuilder(snapshot: snapshot).build(name: "n")
        #expect(nrt.zones[0].costs == [.init(name: "node-0", value: 10), .init(name: "node-1", value: 20)])
        #expect(nrt.zones[1].costs.isEmpty)
    }

    @Test func hugepageResourceNamesUseTheLargestExactUnit() {
        let names = [64 << 10, 2 << 20, 1 << 30, 16 << 30, 1536, 1000].map { NodeResourceTopology.hugepageResourceName(sizeBytes: UInt64($0)) }
        #expect(names == ["hugepages-64Ki", "hugepages-2Mi", "hugepages-1Gi", "hugepages-16Gi", "hugepages-1536", "hugepages-1000"])
    }

    @Test func nodeNamesAreDNSSubdomains() {
        for good in ["node07", "a", "n1.rack-2.example", String(repeating: "a", count: 63)] {
            #expect(NodeResourceTopology.isValidNodeName(good), "\(good)")
        }
        for bad in ["", "Node07", "node_07", "-n", "n-", "a..b", ".a", String(repeating: "a", count: 64), "n\u{e9}"] {
            #expect(!NodeResourceTopology.isValidNodeName(bad), "\(bad)")
        }
    }
}
