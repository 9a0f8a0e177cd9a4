import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// The kernel hides the topology of offline CPUs; the probe restores it from
/// what it saw while they were online, and survives a bad cache.
@Suite struct TopologyCacheTests {
    static let fixture = "32intel64-2p8co2t+8ve"

    /// Takes CPU `id` offline in a copied root as the kernel does: out of
    /// the online list, `online` = 0, no `topology/` or `cache/` any more.
    func takeOffline(_ id: Int, in root: URL) throws {
        let online = try CPUSet(lenientList: String(contentsOf: root.appendingPathComponent("sys/devices/system/cpu/online"), encoding: .utf8))
        var remaining = online
        remaining.remove(id)
        try ScratchDirectory.write("\(remaining)\n", to: "sys/devices/system/cpu/online", in: root)
        try ScratchDirectory.write("0\n", to: "sys/devices/system/cpu/cpu\(id)/online", in: root)
        try ScratchDirectory.delete("sys/devices/system/cpu/cpu\(id)/topology", in: root)
        try ScratchDirectory.delete("sys/devices/system/cpu/cpu\(id)/cache", in: root)
        // The other CPUs' sibling and cache-sharing lists drop it too.
        let fm = FileManager.default
        let base = root.appendingPathComponent("sys/devices/system/cpu")
        for case let relative as String in fm.enumerator(atPath: base.path)! {
            let name = (relative as NSString).lastPathComponent
            let isList = name.hasSuffix("_list")
            let isMask = ["thread_siblings", "core_siblings", "core_cpus", "package_cpus", "die_cpus", "cluster_cpus", "shared_cpu_map"].contains(name)
            guard isList || isMask else { continue }
            let url = base.appendingPathComponent(relative)
            let text = try String(contentsOf: url, encoding: .utf8)
            var set = try isList ? CPUSet(lenientList: text) : #require(CPUSet(hexMask: text))
            guard set.contains(id) else { continue }
            set.remove(id)
            try (isList ? "\(set)\n" : Self.hexMask(set, like: text)).write(to: url, atomically: false, encoding: .utf8)
        }
    }

    /// A sysfs mask with as many 32-bit words as `template` has.
    static func hexMask(_ set: CPUSet, like template: String) -> String {
        let count = template.trimmingASCIIWhitespace().split(separator: ",").count
        let words32 = set.rawWords.flatMap { [UInt32(truncatingIfNeeded: $0), UInt32(truncatingIfNeeded: $0 >> 32)] }
        let words = (0..<count).map { i in i < words32.count ? words32[i] : 0 }
        return words.reversed().map { String(format: "%08x", $0) }.joined(separator: ",") + "\n"
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func offlineCPUKeepsTheTopologyLearnedWhileOnline() throws {
        let scratch = try ScratchDirectory("topology-cache")
        defer { scratch.remove() }
        let state = StateDirectory(path: scratch.path("state").path)
        let before = try scratch.copyFixture(Self.fixture, as: "before")
        let after = try scratch.copyFixture(Self.fixture, as: "after")
        try takeOffline(5, in: after)

        let original = try SysfsTopologyProbe(root: before.path, stateDirectory: state).probeTopology().topology
        #expect(state.loadTopologyCache().cache?.cpus.count == 32)

        // Without the cache the kernel's view: nothing known but the node.
        let uncached = try SysfsTopologyProbe(root: after.path).probeTopology().topology
        let bare = try #require(uncached.cpu(5))
        #expect(!bare.online && bare.package == nil && bare.core == nil && bare.l3 == nil)
        #expect(uncached.cpu(21)?.threadSiblings == CPUSet([21]))

        let observation = try SysfsTopologyProbe(root: after.path, stateDirectory: state).probeTopology()
        let restored = try #require(observation.topology.cpu(5))
        let was = try #require(original.cpu(5))
        #expect(!restored.online)
        #expect(restored.package == was.package && restored.core == was.core && restored.node == was.node)
        #expect(restored.threadSiblings == CPUSet([5, 21]) && restored.threadSiblings == was.threadSiblings)
        #expect(restored.l3 == was.l3)
        #expect(observation.topology.cpu(21)?.threadSiblings == CPUSet([5, 21]), "the online sibling regains it")
        #expect(observation.warnings.contains { $0.hasPrefix("CPU 5: offline without topology in sysfs") })
        // Only the offline CPU differs from the original observation.
        #expect(observation.topology.cpus.filter { $0.id != 5 } == original.cpus.filter { $0.id != 5 })
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func corruptCacheIsReplacedNotFatal() throws {
        let scratch = try ScratchDirectory("corrupt-cache")
        defer { scratch.remove() }
        let state = StateDirectory(path: scratch.path("state").path)
        let root = try TopologyFixtures.load(Self.fixture).root
        for garbage in ["{not json", #"{"schema": "sosplan.topology-cache/v1", "machine": "x", "cpus": [{"id": 1}]}"#,
            #"{"schema": "sosplan.topology-cache/v1", "machine": "x", "cpus": [{"id": 1, "threadSiblings": "2"}]}"#]
        {
            try state.writeAtomically(Data(garbage.utf8), to: TopologyCache.fileName)
            let o = try SysfsTopologyProbe(root: root.path, stateDirectory: state).probeTopology()
            #expect(o.warnings.contains { $0.hasPrefix("ignoring the corrupt topology cache") }, "\(garbage)")
            #expect(state.loadTopologyCache().problem == nil, "rewritten after \(garbage)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: state.url.path)
        #expect(leftovers == [TopologyCache.fileName], "atomic writes leave no temporary files")
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func cacheOfAnotherMachineIsIgnored() throws {
        let scratch = try ScratchDirectory("foreign-cache")
        defer { scratch.remove() }
        let state = StateDirectory(path: scratch.path("state").path)
        _ = try SysfsTopologyProbe(root: try TopologyFixtures.load("8em64t-2s2ca2c").root.path, stateDirectory: state)
            .probeTopology()
        let root = try scratch.copyFixture(Self.fixture)
        try takeOffline(5, in: root)
        let o = try SysfsTopologyProbe(root: root.path, stateDirectory: state).probeTopology()
        #expect(o.warnings.contains { $0.hasPrefix("ignoring the topology cache: it describes another machine") })
        #expect(o.topology.cpu(5)?.package == nil)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func unwritableStateDirectoryIsAWarning() throws {
        let scratch = try ScratchDirectory("readonly-state")
        defer { scratch.remove() }
        // A file where the directory should be: creating it fails.
        try Data().write(to: scratch.path("state"))
        let state = StateDirectory(path: scratch.path("state").path)
        let o = try SysfsTopologyProbe(root: try TopologyFixtures.load(Self.fixture).root.path, stateDirectory: state)
            .probeTopology()
        #expect(o.warnings.contains { $0.hasPrefix("could not write the topology cache") })
    }
}
