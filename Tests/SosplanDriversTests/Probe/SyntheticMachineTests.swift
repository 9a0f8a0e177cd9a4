import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// Shapes hwloc 2.9.0's test suite has no machine of, written as sysfs trees
/// by code (`SyntheticSysfs`): they cover on any checkout what the machines
/// hwloc added later cover where the shared folder is there (hybrid cores,
/// memory-side caches). The probe finds each shape as written, and agrees
/// with the installed lstopo on it.
@Suite struct SyntheticMachineTests {
    /// A hybrid part: 6 performance cores with 2 threads each (CPUs 0-11, an
    /// L2 each) and 8 efficiency cores without SMT in 2 clusters of 4 that
    /// share an L2 (CPUs 12-19); one L3, one node.
    static let hybrid: SyntheticSysfs = {
        var cores = (0..<6).map { SyntheticSysfs.Core(package: 0, id: 4 * $0, cluster: 8 * $0, cpus: [2 * $0, 2 * $0 + 1], l2: $0, l3: 0) }
        cores += (0..<8).map { SyntheticSysfs.Core(package: 0, id: 24 + $0, cluster: 48 + 8 * ($0 / 4), cpus: [12 + $0], l2: 6 + $0 / 4, l3: 0) }
        return SyntheticSysfs(
            hostname: "hybrid", cores: cores, nodes: [SyntheticSysfs.Node(id: 0, cpus: CPUSet(0...19), memoryBytes: 32 << 30, distances: [10])])
    }()

    /// Two packages of 2 sub-NUMA clusters each: 4 cores with 2 threads per
    /// node, numbered as x86 Linux does (first threads 0-15, then their
    /// siblings 16-31); an L3 per package; each node behind a 4 GiB
    /// memory-side cache.
    static let subNUMA: SyntheticSysfs = {
        let cores = (0..<16).map { c in
            SyntheticSysfs.Core(package: c / 8, id: c % 8, cluster: c % 8, cpus: [c, c + 16], l2: c, l3: c / 8)
        }
        let nodes = (0..<4).map { n in
            SyntheticSysfs.Node(
                id: n, cpus: CPUSet((4 * n..<4 * n + 4).flatMap { [$0, $0 + 16] }), memoryBytes: 16 << 30, memorySideCacheBytes: 4 << 30,
                distances: (0..<4).map { m in m == n ? 10 : m / 2 == n / 2 ? 12 : 21 })
        }
        return SyntheticSysfs(hostname: "snc", cores: cores, nodes: nodes)
    }()

    static let machines = ["hybrid": hybrid, "sub-NUMA": subNUMA]

    static func written(_ machine: SyntheticSysfs, _ scratch: ScratchDirectory) throws -> URL {
        try machine.write(to: scratch.path("root"))
    }

    @Test func hybridCoresAreFoundAsWritten() throws {
        let scratch = try ScratchDirectory("synthetic-hybrid")
        defer { scratch.remove() }
        let t = try SysfsTopologyProbe(root: Self.written(Self.hybrid, scratch).path).probeTopology().topology
        #expect(t.cpus.count == 20 && t.onlineCPUs == CPUSet(0...19))
        #expect(t.cores.count == 14)
        #expect(t.cpus.filter { $0.threadSiblings.count == 2 }.map(\.id) == Array(0...11))
        #expect(t.cpus.filter { $0.threadSiblings.count == 1 }.map(\.id) == Array(12...19))
        #expect(Set(t.cpus.map(\.package)) == [0])
        #expect(Set(t.cpus.map(\.l3)) == [0], "one L3 for all")
        #expect(t.nodes.map(\.id) == [0] && t.nodes[0].memoryBytes == 32 << 30)
    }

    @Test func subNUMAClustersAreFoundAsWritten() throws {
        let scratch = try ScratchDirectory("synthetic-snc")
        defer { scratch.remove() }
        let t = try SysfsTopologyProbe(root: Self.written(Self.subNUMA, scratch).path).probeTopology().topology
        #expect(t.cpus.count == 32 && t.cores.count == 16)
        #expect(t.nodes.map(\.cpus) == Self.subNUMA.nodes.map(\.cpus))
        #expect(t.nodes.map(\.distances) == Self.subNUMA.nodes.map(\.distances))
        #expect(t.nodes.allSatisfy { $0.memoryBytes == 16 << 30 })
        for cpu in t.cpus {
            #expect(cpu.node == (cpu.id % 16) / 4 && cpu.package == (cpu.id % 16) / 8, "CPU \(cpu.id)")
            #expect(cpu.threadSiblings == CPUSet([cpu.id % 16, cpu.id % 16 + 16]), "CPU \(cpu.id)")
        }
        #expect(Set(t.cpus.compactMap(\.l3)).count == 2, "an L3 per package")
    }

    /// What lstopo must show of each shape: the hybrid part's 8 L2s (the
    /// performance cores' own, the 2 clusters'), the sub-NUMA machine's 4
    /// memory-side caches.
    static let shapes: [(String, String, Int)] = [("hybrid", "L2Cache", 8), ("sub-NUMA", "MemCache", 4)]

    @Test(.enabled(if: Lstopo.isAvailable, "\(Lstopo.unavailableReason ?? "")"), arguments: shapes)
    func probeAgreesWithInstalledLstopo(_ name: String, showing type: String, count: Int) throws {
        let scratch = try ScratchDirectory("synthetic-lstopo")
        defer { scratch.remove() }
        let root = try Self.written(try #require(Self.machines[name]), scratch)
        let text = try Lstopo.console(root: root)
        let console = LstopoConsole(text)
        #expect(console.indexes(ofType: type).count == count, "\(text)")
        try LstopoAgreementTests.compare(root, with: console)
    }
}
