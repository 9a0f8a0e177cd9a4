import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Nodes without CPUs hold device or slow memory (here six NVIDIA GPUs'
/// memory, nodes 250-255, next to two nodes with CPUs): enclave memory and
/// hugepages go there only when the layout names the node.
@Suite struct DeviceMemoryNodeTests {
    static let snapshot: HostSnapshot = {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/nvidiagpunumanodes.json")
        return try! HostSnapshot.decode(json: String(contentsOf: url, encoding: .utf8))
    }()

    static func plan(_ spec: String) -> Planner.Result? {
        let decoded = LayoutDecoder.decode(layoutText(spec), file: "t.yaml")
        guard let layout = decoded.layout else { return nil }
        return Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
    }

    @Test func theSnapshotMarksGPUMemory() {
        let gpu = Self.snapshot.topology.nodes.filter { $0.memoryKind == .gpu }.map(\.id)
        #expect(gpu == Array(250...255))
        #expect(Self.snapshot.topology.nodes.filter(\.takesUnnamedMemory).map(\.id) == [0, 8])
    }

    @Test func hugepagesWithoutANodeStayOnNodesWithCPUs() throws {
        let result = try #require(Self.plan("  hugepages: [{size: 1Gi, count: 8}]\n"))
        let pools = try #require(result.plan, "\(result.diagnostics)").placement.hugepages
        #expect(pools.map(\.node) == [0, 8])
        #expect(pools.map(\.count) == [4, 4])
    }

    @Test func hugepagesOnANamedGPUNodeGoThere() throws {
        let result = try #require(Self.plan("  hugepages: [{size: 1Gi, count: 2, numa: 250}]\n"))
        let pools = try #require(result.plan, "\(result.diagnostics)").placement.hugepages
        #expect(pools.map(\.node) == [250])
    }

    @Test func enclaveMemoryNeverSpillsOntoGPUNodes() throws {
        // Nodes 0 and 8 have 236 GiB free together; the GPUs 84 GiB more.
        let result = try #require(Self.plan("  enclaves: [{name: e, driver: pisces, cpus: 4, memory: 240Gi}]\n"))
        #expect(result.plan == nil)
        #expect(result.diagnostics.contains { $0.message.contains("enclave 'e' needs 240Gi of memory") }, "\(result.diagnostics.map(\.message))")
        let fits = try #require(Self.plan("  enclaves: [{name: e, driver: pisces, cpus: 4, memory: 200Gi}]\n"))
        let chunks = try #require(fits.plan, "\(fits.diagnostics)").placement.enclave("e")?.memory ?? []
        #expect(Set(chunks.map(\.node)).isSubset(of: [0, 8]))
        #expect(chunks.reduce(0) { $0 + $1.bytes } == 200 << 30)
    }

    @Test func enclaveMemoryOnANamedGPUNodeGoesThere() throws {
        let result = try #require(Self.plan("  enclaves: [{name: e, driver: pisces, cpus: 4, memory: [{size: 8Gi, numa: 251}]}]\n"))
        let chunks = try #require(result.plan, "\(result.diagnostics)").placement.enclave("e")?.memory
        #expect(chunks == [MemoryChunk(node: 251, bytes: 8 << 30)])
    }
}
