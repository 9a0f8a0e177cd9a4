import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// The probe degrades like hwloc on old or partial sysfs, never fails, and
/// says how in one warning per kind of degradation.
@Suite struct SysfsDegradationTests {
    func probe(_ root: URL) throws -> TopologyObservation {
        try SysfsTopologyProbe(root: root.path).probeTopology()
    }

    func probe(_ fixture: String) throws -> TopologyObservation {
        try probe(try TopologyFixtures.load(fixture).root)
    }

    func warning(_ o: TopologyObservation, containing text: String) -> String? {
        o.warnings.first { $0.contains(text) }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func noNodeDirectoriesMeansOneNodeWithAllCPUsAndProcMeminfo() throws {
        let scratch = try ScratchDirectory("no-numa")
        defer { scratch.remove() }
        let root = try scratch.copyFixture("8em64t-2s2ca2c")
        try ScratchDirectory.delete("sys/devices/system/node", in: root)
        let meminfo = try String(contentsOf: root.appendingPathComponent("proc/meminfo"), encoding: .utf8)
        let o = try probe(root)
        #expect(o.topology.nodes.count == 1)
        let node = try #require(o.topology.nodes.first)
        #expect(node.id == 0)
        #expect(node.cpus == o.topology.presentCPUs)
        #expect(o.topology.cpus.allSatisfy { $0.node == 0 })
        #expect(node.memoryBytes == Meminfo(meminfo).total)
        #expect(node.memoryBytes > 0)
        #expect(warning(o, containing: "no NUMA nodes in sysfs") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func missingPresentAndOnlineFilesAreDerived() throws {
        // An old kernel: no cpu/present, no cpu/online; offline CPUs have cpuN/online = 0.
        let o = try probe("16em64t-4s2c2t-offlines")
        #expect(o.topology.presentCPUs == CPUSet(0...15))
        #expect(o.topology.offlineCPUs == CPUSet([2, 5, 13, 14]))
        #expect(warning(o, containing: "no sys/devices/system/cpu/present") != nil)
        #expect(warning(o, containing: "assumed online") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func nodeWithoutCpulistFallsBackToCpumap() throws {
        let o = try probe("16em64t-4s2c2t")
        #expect(o.topology.node(0)?.cpus == CPUSet(0...15))
        #expect(warning(o, containing: "no cpulist") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func offlineCPUsWithoutTopologyKeepNullsButTheirNode() throws {
        let o = try probe("16em64t-4s2c2t-offlines")
        for id in [2, 5, 13, 14] {
            let cpu = try #require(o.topology.cpu(id))
            #expect(!cpu.online && cpu.package == nil && cpu.core == nil && cpu.l3 == nil)
            #expect(cpu.node == 0, "offline CPUs stay in the node's cpumap")
        }
        #expect(warning(o, containing: "CPUs 2,5,13-14: offline") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func packageIDMinusOneIsUnknown() throws {
        let o = try probe("256ppc-8n8s4t")
        #expect(o.topology.cpus.allSatisfy { $0.package == nil })
        #expect(o.topology.cpus.allSatisfy { $0.core != nil && $0.threadSiblings.count == 4 })
        #expect(warning(o, containing: "physical_package_id is -1") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func nodesClaimingCPUsOfALowerNodeAreIgnoredWithTheirMemory() throws {
        // Eight nodes each claim CPUs 0-7: like hwloc, only node 0 is kept,
        // and the memory of the others is not counted on top of it.
        let o = try probe("8em64t-2s2ca2c-buggynuma")
        #expect(o.topology.nodes.map(\.id) == [0])
        #expect(o.topology.node(0)?.cpus == CPUSet(0...7))
        #expect(o.topology.node(0)?.memoryBytes == 2_096_684 * 1024)
        #expect(o.topology.node(0)?.distances == [10])
        #expect(o.topology.cpus.allSatisfy { $0.node == 0 })
        #expect(warning(o, containing: "nodes 1-7 claim only CPUs a lower node already has") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func packageMasksThatContradictLeaveThePackageUnknownLikeHwloc() throws {
        // cpu3's core_siblings mask names CPUs 0-3, so no CPU of package 3
        // starts a package: hwloc shows CPUs 3,7,...,39 in no package.
        let o = try probe("40intel64-4n10c+pci-conflicts")
        let unknown = CPUSet(o.topology.cpus.filter { $0.package == nil }.map(\.id))
        #expect(unknown == CPUSet(stride(from: 3, through: 39, by: 4)))
        #expect(o.topology.packageIDs == [0, 1, 2])
        #expect(warning(o, containing: "package masks (package_cpus/core_siblings) contradict") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func repeatedPackageIDsAreToldApartByMasks() throws {
        // ia64: two packages per physical_package_id, one CPU each.
        let o = try probe("16ia64-8n2s")
        #expect(o.topology.cpu(0)?.package == 0 && o.topology.cpu(1)?.package == 0)
        #expect(o.topology.cpu(0)?.packageCPUs == CPUSet([0]))
        #expect(o.topology.cpu(1)?.packageCPUs == CPUSet([1]))
        #expect(o.topology.packageCount == 16)
        #expect(warning(o, containing: "is given to several packages") != nil)
        // Elsewhere the id names the package and packageCPUs stays out of the snapshot.
        #expect(try probe("64amd64-4s2n4ca2co").topology.cpus.allSatisfy { $0.packageCPUs == nil })
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func cpusOfANodeWithoutDirectoryKeepThatNode() throws {
        // Node 0 is offline: no node0 directory, but cpuN/node0 links remain.
        let o = try probe("offline-cpu0-node0")
        #expect(o.topology.node(0) == nil)
        #expect(o.topology.cpu(4)?.node == 0)
        #expect(o.topology.cpu(5)?.node == 1)
        #expect(o.topology.cpusOfUnlistedNodes == CPUSet(stride(from: 0, through: 22, by: 2)))
        #expect(warning(o, containing: "which has no directory in sysfs") != nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func ampCoresWithOneThreadEachAreSplitLikeHwloc() throws {
        // AMD Bulldozer lists both cores of a compute unit as thread siblings.
        let o = try probe("64amd64-4s2n4ca2co")
        #expect(o.topology.cpus.allSatisfy { $0.threadSiblings == CPUSet([$0.id]) })
        #expect(o.topology.cores.count == 64)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"), arguments: [
        ("16amd64-8n2c-cpusets", "0-6,12-15", "1-4"),
        ("16em64t-4s2ca2c-cpusetreorder", nil, nil),
        ("32amd64-4s2n4c-cgroup2", "0-5", "0-5"),
        ("4fake-4gr1nu1pu", "0-1", "0,2"),
    ] as [(String, String?, String?)])
    func cpusetCgroupIsReportedNotApplied(_ fixture: String, cpus: String?, mems: String?) throws {
        let root = try TopologyFixtures.load(fixture).root
        let o = try probe(root)
        // Oracle: the files hwloc reads for this fixture, located by hand.
        let expectedCPUs = try cpus.map { try CPUSet(strictList: $0) }
        let expectedMems = try mems.map { try CPUSet(strictList: $0) }
        if let expectedCPUs { #expect(o.allowedCPUs == expectedCPUs) }
        if let expectedMems { #expect(o.allowedMemoryNodes == expectedMems) }
        #expect(o.topology.presentCPUs.count == o.topology.cpus.count)
        if expectedCPUs != nil { #expect(warning(o, containing: "cpuset cgroup") != nil) }
    }

    @Test func isolationFilesAndNullNohzFull() throws {
        let scratch = try ScratchDirectory("isolated")
        defer { scratch.remove() }
        let root = try scratch.copyFixture("kvm-16c-1n")
        try ScratchDirectory.write("2-3,9\n", to: "sys/devices/system/cpu/isolated", in: root)
        try ScratchDirectory.write("(null)\n", to: "sys/devices/system/cpu/nohz_full", in: root)
        try ScratchDirectory.write("node07\n", to: "proc/sys/kernel/hostname", in: root)
        let o = try probe(root)
        #expect(o.topology.isolatedCPUs == CPUSet([2, 3, 9]))
        #expect(o.topology.nohzFullCPUs.isEmpty)
        #expect(o.hostname == "node07")
    }

    @Test func memoryBlocksPerNode() throws {
        // Count what the fixture holds with FileManager, independently of the probe's reader.
        for name in ["kvm-16c-1n", "firecracker-2c-1n"] {
            let root = try TopologyFixtures.load(name).root
            let base = root.appendingPathComponent("sys/devices/system/memory")
            let blocks = try FileManager.default.contentsOfDirectory(atPath: base.path).filter {
                $0.hasPrefix("memory") && Int($0.dropFirst(6)) != nil
            }
            let online = blocks.filter {
                (try? String(contentsOf: base.appendingPathComponent("\($0)/state"), encoding: .utf8))?.hasPrefix("online") == true
            }
            let o = try probe(root)
            let counted = o.topology.nodes.compactMap(\.memoryBlocks)
            #expect(o.topology.memoryBlockSizeBytes != nil, "\(name)")
            #expect(counted.reduce(0) { $0 + $1.online.count + $1.offline.count } == blocks.count, "\(name)")
            #expect(counted.reduce(0) { $0 + $1.online.count } == online.count, "\(name)")
        }
    }

    @Test func kvmGuestMatchesLscpu() throws {
        let text = try String(
            contentsOf: RepositoryPaths.topologies.appendingPathComponent("kvm-16c-1n.lscpu.txt"), encoding: .utf8)
        var lscpu: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            lscpu[String(line[..<colon])] = line[line.index(after: colon)...].trimmingASCIIWhitespace()
        }
        let t = try probe("kvm-16c-1n").topology
        #expect(t.cpus.count == Int(lscpu["CPU(s)"] ?? ""))
        #expect(t.onlineCPUs == (try CPUSet(lenientList: lscpu["On-line CPU(s) list"] ?? "")))
        #expect(t.packageIDs.count == Int(lscpu["Socket(s)"] ?? ""))
        #expect(t.cores.count == (Int(lscpu["Core(s) per socket"] ?? "") ?? 0) * t.packageIDs.count)
        #expect(t.threadsPerCore == [Int(lscpu["Thread(s) per core"] ?? "") ?? 0])
        #expect(t.nodes.count == Int(lscpu["NUMA node(s)"] ?? ""))
        #expect(t.node(0)?.cpus == (try CPUSet(lenientList: lscpu["NUMA node0 CPU(s)"] ?? "")))
        #expect(lscpu["L3 cache"]?.contains("(\(t.lastLevelCaches.count) instance") == true)
        #expect(t.node(0)?.hugepages.map(\.sizeBytes) == [2 << 20, 1 << 30])
    }

    @Test func rootWithoutSysfsIsAnErrorNotACrash() throws {
        let scratch = try ScratchDirectory("empty-root")
        defer { scratch.remove() }
        #expect(throws: SysfsProbeError.noCPUDirectory(scratch.url.path)) { try probe(scratch.url) }
        #expect(throws: SysfsProbeError.self) { try probe(scratch.path("missing")) }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func everyFixtureIsDeterministic() throws {
        try deterministic(TopologyFixtures.hwlocNames + TopologyFixtures.repositoryNames)
    }

    @Test(.enabled(if: TopologyFixtures.laterAvailable, "\(TopologyFixtures.laterUnavailableReason ?? "")"))
    func everyLaterMachineIsDeterministic() throws {
        try deterministic(TopologyFixtures.laterNames)
    }

    func deterministic(_ names: [String]) throws {
        for name in names {
            let root = try TopologyFixtures.load(name).root
            let a = try probe(root), b = try probe(root)
            #expect(a.topology == b.topology && a.warnings == b.warnings, "\(name)")
            #expect(a.topology.cpus.map(\.id) == a.topology.cpus.map(\.id).sorted(), "\(name)")
            #expect(a.topology.nodes.map(\.id) == a.topology.nodes.map(\.id).sorted(), "\(name)")
        }
    }
}
