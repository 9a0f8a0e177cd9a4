import Foundation
import SosplanCore

/// A small `/sys` + `/proc` tree written by code, laid out as Linux lays it
/// out, for shapes hwloc 2.9.0's test suite has no machine of (hybrid cores
/// in clusters, sub-NUMA clusters with memory-side caches). The probe and the
/// installed lstopo read it like a captured machine; nothing is copied from
/// one.
public struct SyntheticSysfs: Sendable {
    public struct Core: Sendable {
        public var package: Int
        public var id: Int
        /// The kernel's cluster (CPUs sharing an L2 on hybrid parts).
        public var cluster: Int
        /// Its hardware threads (Linux CPU ids).
        public var cpus: [Int]
        /// Which L2 and which L3 it shares (any id: cores with the same id share it).
        public var l2: Int
        public var l3: Int

        public init(package: Int, id: Int, cluster: Int, cpus: [Int], l2: Int, l3: Int) {
            (self.package, self.id, self.cluster, self.cpus, self.l2, self.l3) = (package, id, cluster, cpus, l2, l3)
        }
    }

    public struct Node: Sendable {
        public var id: Int
        public var cpus: CPUSet
        public var memoryBytes: UInt64
        /// The size of the memory-side cache in front of it (sysfs
        /// node/nodeN/memory_side_cache/index1), if any.
        public var memorySideCacheBytes: UInt64?
        public var distances: [Int]

        public init(id: Int, cpus: CPUSet, memoryBytes: UInt64, memorySideCacheBytes: UInt64? = nil, distances: [Int]) {
            (self.id, self.cpus, self.memoryBytes, self.memorySideCacheBytes, self.distances) =
                (id, cpus, memoryBytes, memorySideCacheBytes, distances)
        }
    }

    public var hostname: String
    public var cores: [Core]
    public var nodes: [Node]

    public init(hostname: String, cores: [Core], nodes: [Node]) {
        (self.hostname, self.cores, self.nodes) = (hostname, cores, nodes)
    }

    public var cpus: CPUSet { CPUSet(cores.flatMap(\.cpus)) }

    /// Writes the tree under `root` (created) and returns `root`.
    @discardableResult
    public func write(to root: URL) throws -> URL {
        var files: [String: String] = [:]
        let all = cpus
        let system = "sys/devices/system"
        for name in ["possible", "present", "online"] { files["\(system)/cpu/\(name)"] = "\(all)" }
        func sets(_ key: (Core) -> Int) -> [Int: CPUSet] {
            var result: [Int: CPUSet] = [:]
            for core in cores { result[key(core), default: CPUSet()].formUnion(CPUSet(core.cpus)) }
            return result
        }
        let packages = sets(\.package), clusters = sets { $0.package << 16 | $0.cluster }
        let l2s = sets(\.l2), l3s = sets(\.l3)
        for core in cores {
            let threads = CPUSet(core.cpus)
            for cpu in core.cpus {
                let dir = "\(system)/cpu/cpu\(cpu)"
                files["\(dir)/online"] = "1"
                let topology: [(String, String)] = [
                    ("physical_package_id", "\(core.package)"), ("core_id", "\(core.id)"), ("cluster_id", "\(core.cluster)"),
                    ("die_id", "0"),
                ]
                for (file, value) in topology { files["\(dir)/topology/\(file)"] = value }
                let masks: [(String, CPUSet)] = [
                    ("thread_siblings", threads), ("core_cpus", threads),
                    ("cluster_cpus", clusters[core.package << 16 | core.cluster]!),
                    ("core_siblings", packages[core.package]!), ("package_cpus", packages[core.package]!),
                    ("die_cpus", packages[core.package]!),
                ]
                for (file, set) in masks {
                    files["\(dir)/topology/\(file)"] = Self.mask(set)
                    files["\(dir)/topology/\(file)_list"] = "\(set)"
                }
                let caches: [(level: Int, type: String, size: String, shared: CPUSet, id: Int)] = [
                    (1, "Data", "48K", threads, core.package << 16 | core.id), (1, "Instruction", "32K", threads, core.package << 16 | core.id),
                    (2, "Unified", "2048K", l2s[core.l2]!, core.l2), (3, "Unified", "32768K", l3s[core.l3]!, core.l3),
                ]
                for (i, cache) in caches.enumerated() {
                    let index = "\(dir)/cache/index\(i)"
                    let values = [
                        ("level", "\(cache.level)"), ("type", cache.type), ("size", cache.size), ("id", "\(cache.id)"),
                        ("coherency_line_size", "64"), ("ways_of_associativity", "16"),
                        ("shared_cpu_list", "\(cache.shared)"), ("shared_cpu_map", Self.mask(cache.shared)),
                    ]
                    for (file, value) in values { files["\(index)/\(file)"] = value }
                }
            }
        }
        let nodeIDs = CPUSet(nodes.map(\.id))
        for name in ["possible", "online", "has_normal_memory", "has_memory"] { files["\(system)/node/\(name)"] = "\(nodeIDs)" }
        files["\(system)/node/has_cpu"] = "\(CPUSet(nodes.filter { !$0.cpus.isEmpty }.map(\.id)))"
        var meminfo = 0 as UInt64
        for node in nodes {
            let dir = "\(system)/node/node\(node.id)"
            let kB = node.memoryBytes >> 10
            meminfo += kB
            files["\(dir)/cpulist"] = "\(node.cpus)"
            files["\(dir)/cpumap"] = Self.mask(node.cpus)
            files["\(dir)/distance"] = node.distances.map(String.init).joined(separator: " ")
            files["\(dir)/meminfo"] = """
                Node \(node.id) MemTotal:       \(kB) kB
                Node \(node.id) MemFree:        \(kB / 2) kB
                Node \(node.id) MemUsed:        \(kB - kB / 2) kB
                """
            if let cache = node.memorySideCacheBytes {
                let values = [("size", "\(cache)"), ("line_size", "64"), ("indexing", "0"), ("write_policy", "0")]
                for (file, value) in values { files["\(dir)/memory_side_cache/index1/\(file)"] = value }
            }
        }
        files["proc/meminfo"] = "MemTotal:       \(meminfo) kB\nMemFree:        \(meminfo / 2) kB\n"
        files["proc/sys/kernel/hostname"] = hostname
        for (path, text) in files { try ScratchDirectory.write(text + "\n", to: path, in: root) }
        return root
    }

    /// A sysfs CPU mask: 32-bit hex words, most significant first, comma-separated.
    static func mask(_ set: CPUSet) -> String {
        let words = (set.last ?? 0) / 32 + 1
        return (0..<words).reversed().map { w in
            let bits = (0..<32).reduce(UInt32(0)) { set.contains(w * 32 + $1) ? $0 | (1 << UInt32($1)) : $0 }
            return String(format: "%08x", bits)
        }.joined(separator: ",")
    }
}
