import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// libnuma on the live machine, and a host where it is unavailable.
@Suite struct NumaTopologyProbeTests {
    /// A libnuma on a kernel without NUMA support: `numa_available()` is -1
    /// and nothing else may be called.
    static let unavailable = NumaLibrary(
        available: { -1 },
        maxNode: { Issue.record("numa_max_node called after numa_available() == -1"); return 0 },
        nodeSize: { _ in Issue.record("numa_node_size64 called after numa_available() == -1"); return nil },
        nodeCPUs: { _ in Issue.record("numa_node_to_cpus called after numa_available() == -1"); return nil },
        distance: { _, _ in Issue.record("numa_distance called after numa_available() == -1"); return 0 })

    @Test func sysfsAndLibnumaAgreeOnThisMachine() throws {
        try LiveCPU.withShared(compareSysfsAndLibnuma)
    }

    func compareSysfsAndLibnuma() throws {
        let numa = NumaTopologyProbe()
        guard case .nodes(let nodes) = numa.probeNodes() else {
            // A container may refuse get_mempolicy; then there is nothing to compare.
            Issue.record("libnuma is unavailable on this machine")
            return
        }
        let sysfs = try SysfsTopologyProbe(root: "/").probeTopology().topology
        #expect(nodes.map(\.id) == sysfs.nodes.map(\.id))
        for (a, b) in zip(nodes, sysfs.nodes) {
            #expect(a.cpus.intersection(sysfs.presentCPUs) == b.cpus, "node \(a.id) CPUs")
            #expect(a.memoryBytes == b.memoryBytes, "node \(a.id) memory")
            #expect(a.distances == b.distances, "node \(a.id) distances")
        }
        // The numa-only topology agrees on the fields libnuma knows.
        let numaTopology = try numa.probeTopology().topology
        #expect(numaTopology.cpus.map(\.id) == sysfs.cpus.map(\.id))
        #expect(numaTopology.cpus.map(\.node) == sysfs.cpus.map(\.node))
        // And the live probe has nothing to warn about.
        let live = try LiveTopologyProbe().probeTopology()
        #expect(!live.warnings.contains { $0.contains("libnuma") })
    }

    @Test func unavailableLibnumaIsReportedNotCalled() throws {
        let probe = NumaTopologyProbe(library: Self.unavailable)
        #expect(probe.probeNodes() == .unsupported(status: -1))
        #expect(throws: NumaProbeError.self) { try probe.probeTopology() }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func hostWithoutNUMASupport() throws {
        // No node directories in sysfs and libnuma says -1: one node 0.
        let scratch = try ScratchDirectory("no-numa-host")
        defer { scratch.remove() }
        let root = try scratch.copyFixture("16em64t-4s2c2t")
        try ScratchDirectory.delete("sys/devices/system/node", in: root)
        let live = LiveTopologyProbe(
            sysfs: SysfsTopologyProbe(root: root.path), numa: NumaTopologyProbe(library: Self.unavailable))
        let o = try live.probeTopology()
        #expect(o.topology.nodes.map(\.id) == [0])
        #expect(o.topology.nodes[0].cpus == CPUSet(0...15))
        #expect(o.warnings.contains { $0.contains("no NUMA nodes in sysfs") })
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func disagreementsBecomeWarnings() throws {
        let topology = try SysfsTopologyProbe(root: try TopologyFixtures.load("16amd64-8n2c").root.path)
            .probeTopology().topology
        var nodes = topology.nodes
        nodes[1].cpus = CPUSet([2])
        nodes[2].memoryBytes += 4096
        nodes.removeLast()
        let warnings = LiveTopologyProbe.crossCheck(topology, .nodes(nodes))
        #expect(warnings.count == 3)
        #expect(warnings.contains { $0.hasPrefix("libnuma sees NUMA nodes 0-6, sysfs 0-7") })
        #expect(warnings.contains { $0.hasPrefix("node 1: libnuma gives CPUs 2, sysfs 2-3") })
        #expect(warnings.contains { $0.hasPrefix("node 2: libnuma gives") && $0.contains("bytes of memory") })
        #expect(LiveTopologyProbe.crossCheck(topology, .nodes(topology.nodes)).isEmpty)
        #expect(LiveTopologyProbe.crossCheck(topology, .unsupported(status: -1)).count == 1)
    }
}
