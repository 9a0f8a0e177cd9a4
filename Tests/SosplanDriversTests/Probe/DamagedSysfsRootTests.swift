import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// A damaged snapshot root (or a damaged live sysfs) never hangs or crashes
/// the probe: garbage, absurd ranges, FIFOs, devices and symbolic-link
/// loops where files should be read as missing files, and the probe says so
/// in its warnings. Each case damages a copy of the kvm-16c-1n fixture.
@Suite struct DamagedSysfsRootTests {
    static let cpu = "sys/devices/system/cpu"
    static let node0 = "sys/devices/system/node/node0"

    func damaged(_ damage: (URL) throws -> Void) throws -> TopologyObservation {
        let scratch = try ScratchDirectory("damaged-sysfs")
        defer { scratch.remove() }
        let root = try scratch.copyFixture("kvm-16c-1n")
        try damage(root)
        return try SysfsTopologyProbe(root: root.path).probeTopology()
    }

    /// Replaces a file with a FIFO nobody writes to: a blocking read would hang.
    static func fifo(_ relative: String, in root: URL) throws {
        try ScratchDirectory.delete(relative, in: root)
        #expect(mkfifo(root.appendingPathComponent(relative).path, 0o644) == 0)
    }

    static func link(_ relative: String, to target: String, in root: URL) throws {
        try? ScratchDirectory.delete(relative, in: root)
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent(relative).path, withDestinationPath: target)
    }

    func warning(_ o: TopologyObservation, containing text: String) -> Bool {
        o.warnings.contains { $0.contains(text) }
    }

    @Test func garbageInOnlineFilesIsNotBelieved() throws {
        let o = try damaged { root in
            try ScratchDirectory.write("banana\n", to: "\(Self.cpu)/online", in: root)
            try ScratchDirectory.write("yes\n", to: "\(Self.cpu)/cpu2/online", in: root)
        }
        #expect(o.topology.onlineCPUs == CPUSet(0...15))
        // Each file is named for what it holds: the list is no list, CPU 2's
        // file is no flag, and CPU 0 (which has none) is assumed online.
        #expect(warning(o, containing: "\(Self.cpu)/online is not a CPU list; ignored"))
        #expect(warning(o, containing: "CPU 2: \(Self.cpu)/cpuN/online is empty or not 0 or 1; assumed online"))
        #expect(warning(o, containing: "no \(Self.cpu)/online list and no cpuN/online file for CPU 0"))
    }

    /// sysfs values that would change the snapshot: each is warned about,
    /// naming the file, and the snapshot says what the warning says (and
    /// stays one `plan --snapshot` reads back).
    @Test func valuesThatChangeTheSnapshotAreWarnedAboutAndLeftOut() throws {
        let o = try damaged { root in
            try ScratchDirectory.write("garbage\n", to: "\(Self.cpu)/cpu1/topology/core_id", in: root)
            try ScratchDirectory.write("99999999999999\n", to: "\(Self.cpu)/cpu2/topology/core_id", in: root)
            try ScratchDirectory.write("\n", to: "\(Self.cpu)/online", in: root)
            try ScratchDirectory.write("Node 0 MemTotal: 18014398509481983 kB\nNode 0 MemFree: 100 kB\n", to: "\(Self.node0)/meminfo", in: root)
            try ScratchDirectory.write("ffffffffffffffff\n", to: "sys/devices/system/memory/block_size_bytes", in: root)
            try ScratchDirectory.write("10 abc\n", to: "\(Self.node0)/distance", in: root)
            try ScratchDirectory.write("1\n", to: "\(Self.node0)/hugepages/hugepages-18014398509481984kB/nr_hugepages", in: root)
            try ScratchDirectory.write("999999999999999999\n", to: "\(Self.node0)/hugepages/hugepages-2048kB/nr_hugepages", in: root)
            try ScratchDirectory.write("9223372036854775807\n", to: "\(Self.node0)/hugepages/hugepages-1048576kB/free_hugepages", in: root)
        }
        let cpus = o.topology.cpus
        #expect(cpus[1].core == nil && cpus[2].core == nil)
        #expect(warning(o, containing: "CPU 1: \(Self.cpu)/cpuN/topology/core_id is not a number; core left unknown"))
        #expect(warning(o, containing: "CPU 2: \(Self.cpu)/cpuN/topology/core_id holds a value no kernel writes (outside -1 to 2147483647); core left unknown"))
        #expect(o.topology.onlineCPUs == CPUSet(0...15), "an empty online list does not take every CPU offline")
        #expect(warning(o, containing: "\(Self.cpu)/online is empty; ignored"))
        let node = try #require(o.topology.nodes.first)
        #expect(node.memoryBytes == 0 && node.freeBytes == 0)
        #expect(warning(o, containing: "node 0: sys/devices/system/node/nodeN/meminfo gives MemTotal past what any host has (1 PiB); memory unknown (0)"))
        #expect(o.topology.memoryBlockSizeBytes == nil && node.memoryBlocks == nil)
        #expect(warning(o, containing: "sys/devices/system/memory/block_size_bytes is not a memory block size"))
        #expect(node.distances == [])
        #expect(warning(o, containing: "node 0: sys/devices/system/node/nodeN/distance is not a list of NUMA distances (0-255); distances unknown"))
        #expect(node.hugepages.isEmpty)
        #expect(warning(o, containing: "\(Self.node0)/hugepages/hugepages-18014398509481984kB: not a hugepage size"))
        #expect(warning(o, containing: "\(Self.node0)/hugepages/hugepages-2048kB: 999999999999999999 pages, 0 free, is no pool a host has; pool left out"))
        #expect(warning(o, containing: "\(Self.node0)/hugepages/hugepages-1048576kB: nr_hugepages or free_hugepages is not a number; pool left out"))
        let snapshot = HostSnapshot(topology: o.topology, warnings: o.warnings)
        #expect(snapshot.inconsistencies() == [])
    }

    /// A package "left unknown" reads unknown (null), never 0; where the
    /// package masks place a CPU whose id is -1, the warning says so.
    @Test func aPackageIDOfMinusOneIsWhatTheWarningSays() throws {
        // CPU 3's core is unknown, so its package id is read, and the mask
        // of CPU 0 (the package's first CPU) names its package.
        let o = try damaged { root in
            try ScratchDirectory.write("-1\n", to: "\(Self.cpu)/cpu3/topology/physical_package_id", in: root)
            try ScratchDirectory.delete("\(Self.cpu)/cpu3/topology/core_id", in: root)
        }
        #expect(o.topology.cpus[3].package == 0)
        #expect(warning(o, containing: "CPU 3: physical_package_id is -1 (the platform does not say); package taken from the package mask"))
        #expect(!o.warnings.contains { $0.contains("package left unknown") })

        let leader = try damaged { root in
            try ScratchDirectory.write("-1\n", to: "\(Self.cpu)/cpu0/topology/physical_package_id", in: root)
        }
        #expect(leader.topology.cpus.allSatisfy { $0.package == nil }, "the mask's first CPU names the package")
        #expect(warning(leader, containing: "CPU 0: physical_package_id is -1 (the platform does not say); package left unknown"))
        #expect(warning(leader, containing: "CPUs 1-15: package unknown: the package mask puts them with a CPU whose physical_package_id is -1"))
    }

    /// The id of a CPU an earlier CPU's package mask holds is not read: the
    /// package's first CPU names the package (as in hwloc), so what the
    /// file says, however damaged, changes nothing and is not warned about.
    @Test(arguments: ["-1\n", "garbage\n", "99999999999999999999\n"])
    func theIDOfACPUAnEarlierPackageMaskHoldsIsNotRead(_ content: String) throws {
        let o = try damaged { root in
            try ScratchDirectory.write(content, to: "\(Self.cpu)/cpu3/topology/physical_package_id", in: root)
        }
        let pristine = try damaged { _ in }
        #expect(o.topology == pristine.topology)
        #expect(o.topology.cpus.allSatisfy { $0.package == 0 })
        #expect(o.warnings == pristine.warnings)
        let unread = try damaged { root in
            try Self.fifo("\(Self.cpu)/cpu3/topology/physical_package_id", in: root)
            try Self.link("\(Self.cpu)/cpu4/topology/physical_package_id", to: "/dev/zero", in: root)
        }
        #expect(unread.topology == pristine.topology)
        #expect(unread.warnings == pristine.warnings)
    }

    @Test(arguments: ["0-4294967295", "0-99999999999999999999", "15-0", "0-3,,", "\u{0}\u{1}garbage"])
    func absurdPresentRangesFallBackToTheDirectories(_ present: String) throws {
        let o = try damaged { root in try ScratchDirectory.write(present + "\n", to: "\(Self.cpu)/present", in: root) }
        #expect(o.topology.presentCPUs == CPUSet(0...15))
        #expect(warning(o, containing: "present CPUs taken from the cpuN directories (0-15)"))
    }

    @Test func absurdNodeListsAndMasksAreIgnored() throws {
        let o = try damaged { root in
            try ScratchDirectory.write("0-4194304\n", to: "\(Self.node0)/cpulist", in: root)
            try ScratchDirectory.write("zz,ffffffff\n", to: "\(Self.node0)/cpumap", in: root)
        }
        #expect(o.topology.node(0)?.cpus.isEmpty == true)
        #expect(warning(o, containing: "node 0: neither cpulist nor cpumap in sysfs; no CPUs"))
    }

    @Test func fifosWhereFilesShouldBeReadAsMissing() throws {
        let o = try damaged { root in
            try Self.fifo("\(Self.cpu)/online", in: root)
            try Self.fifo("\(Self.cpu)/cpu2/online", in: root)
            try Self.fifo("\(Self.cpu)/cpu3/topology/core_id", in: root)
            try Self.fifo("\(Self.node0)/meminfo", in: root)
            try Self.fifo("\(Self.node0)/cpulist", in: root)
            try Self.fifo("proc/meminfo", in: root)
        }
        #expect(o.topology.cpu(3)?.core == nil)
        #expect(o.topology.node(0)?.memoryBytes == 0)
        #expect(warning(o, containing: "node 0: no meminfo in sysfs; memory unknown (0)"))
        #expect(warning(o, containing: "no cpulist in sysfs (old kernel); CPUs read from cpumap"))
        #expect(o.topology.node(0)?.cpus == CPUSet(0...15), "from cpumap")
    }

    @Test func devicesAndSymbolicLinkLoopsReadAsMissing() throws {
        let o = try damaged { root in
            try Self.link("\(Self.node0)/meminfo", to: "/dev/zero", in: root)
            try Self.link("\(Self.cpu)/cpu4/topology/physical_package_id", to: "/dev/urandom", in: root)
            // core_id -> a -> core_id: open fails with ELOOP.
            try Self.link("\(Self.cpu)/cpu5/topology/core_id", to: "a", in: root)
            try Self.link("\(Self.cpu)/cpu5/topology/a", to: "core_id", in: root)
            // A directory that is a loop: node1 -> node1.
            try Self.link("sys/devices/system/node/node1", to: "node1", in: root)
        }
        #expect(o.topology.node(0)?.memoryBytes == 0)
        // CPU 4's own id is unreadable; its package (from the masks) is named by CPU 0, as in hwloc.
        #expect(o.topology.cpu(4)?.package == 0)
        #expect(o.topology.cpu(5)?.core == nil)
        #expect(o.topology.cpu(6)?.core != nil, "undamaged CPUs keep their topology")
        #expect(o.topology.nodes.map(\.id) == [0, 1])
        #expect(o.topology.node(1)?.cpus.isEmpty == true && o.topology.node(1)?.memoryBytes == 0)
    }

    @Test func missingDirectoriesDegradeOrFailClearly() throws {
        let noNodes = try damaged { root in try ScratchDirectory.delete("sys/devices/system/node", in: root) }
        #expect(noNodes.topology.nodes.map(\.id) == [0])
        #expect(noNodes.topology.node(0)?.cpus == CPUSet(0...15))
        #expect(warning(noNodes, containing: "no NUMA nodes in sysfs"))

        let noTopology = try damaged { root in try ScratchDirectory.delete("\(Self.cpu)/cpu7/topology", in: root) }
        #expect(noTopology.topology.cpu(7)?.package == nil)
        #expect(warning(noTopology, containing: "CPU 7: online but sysfs has no topology/ directory"))

        #expect(throws: SysfsProbeError.self) {
            try damaged { root in try ScratchDirectory.delete(Self.cpu, in: root) }
        }
    }

    @Test func aDamagedRootIsAnErrorOnTheCommandLineNotACrash() throws {
        let scratch = try ScratchDirectory("damaged-cli")
        defer { scratch.remove() }
        let fifoRoot = scratch.path("fifo-root")
        #expect(mkfifo(fifoRoot.path, 0o644) == 0)
        let loop = scratch.path("loop")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: loop.path)
        for root in [fifoRoot.path, loop.path, scratch.url.path, "/dev/zero"] {
            let r = try CommandRunner.sosplan(["observe", "--root", root])
            #expect(r.status == 1 && !r.signaled, "\(root): \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: "), "\(root): \(r.stderr)")
        }
    }
}

/// Device and slow memory is marked as hwloc names it (the lstopo console
/// of fakeheteromemtiers says NUMANode(HBM) and NUMANode(NVM)).
@Suite struct MemoryKindTests {
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func daxAndGPUMemoryIsMarked() throws {
        let hetero = try SysfsTopologyProbe(root: TopologyFixtures.load("fakeheteromemtiers").root.path).probeTopology()
        var kinds: [Int: MemoryKind] = [:]
        for node in hetero.topology.nodes { if let k = node.memoryKind { kinds[node.id] = k } }
        #expect(kinds == [2: .spm, 4: .spm, 6: .nvm, 8: .nvm, 9: .nvm])
        let console = try #require(try TopologyFixtures.load("fakeheteromemtiers").console)
        for (id, kind) in kinds {
            let word = kind == .spm ? "HBM" : "NVM"
            #expect(console.split(separator: "\n").contains { $0.contains("NUMANode(\(word))") && $0.contains("(P#\(id) ") }, "node \(id) is \(word) for lstopo")
        }
        let nvidia = try SysfsTopologyProbe(root: TopologyFixtures.load("nvidiagpunumanodes").root.path).probeTopology()
        #expect(nvidia.topology.nodes.filter { $0.memoryKind == .gpu }.map(\.id) == Array(250...255))
        #expect(nvidia.topology.nodes.filter { $0.memoryKind == nil }.map(\.id) == [0, 8])
    }
}
