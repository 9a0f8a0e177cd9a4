import FoundationEssentials
import Glibc
import SosplanCore

/// The topology of CPUs as last seen online. The kernel removes
/// `cpuN/topology/` when a CPU goes offline (e.g. to an enclave), so sosplan
/// remembers it: an offline CPU keeps its package, core, siblings, cache and
/// node, and the planner can give it back to the right core.
///
/// Stored as `topology-cache.json` in the state directory. It is a cache:
/// written atomically, validated on read, replaced when corrupt or when it
/// describes another machine, and sysfs always wins over it.
public struct TopologyCache: Codable, Sendable, Equatable {
    public static let schemaID = "sosplan.topology-cache/v1"
    public static let fileName = "topology-cache.json"

    public var schema: String
    /// Which machine the entries describe (its present CPUs and NUMA nodes);
    /// entries for another machine are never applied.
    public var machine: String
    /// One entry per CPU, by ascending id.
    public var cpus: [Entry]

    public struct Entry: Codable, Sendable, Equatable {
        public var id: Int
        public var package: Int?
        public var core: Int?
        public var node: Int?
        public var threadSiblings: CPUSet
        /// CPUs sharing the last-level cache, including this one.
        public var lastLevelCache: CPUSet?

        public init(id: Int, package: Int?, core: Int?, node: Int?, threadSiblings: CPUSet, lastLevelCache: CPUSet?) {
            self.id = id
            self.package = package
            self.core = core
            self.node = node
            self.threadSiblings = threadSiblings
            self.lastLevelCache = lastLevelCache
        }
    }

    public init(machine: String, cpus: [Entry]) {
        self.schema = TopologyCache.schemaID
        self.machine = machine
        self.cpus = cpus.sorted { $0.id < $1.id }
    }

    public func entry(_ id: Int) -> Entry? { cpus.first { $0.id == id } }

    /// Parses and checks a cache file; the error says what is wrong.
    public static func decode(_ data: Data) throws -> TopologyCache {
        let cache: TopologyCache
        do { cache = try SchemaDocument.decode(TopologyCache.self, schemaID: schemaID, json: [UInt8](data)) } catch {
            if case .wrongSchema = error { throw TopologyCacheError("schema is not '\(schemaID)'") }
            throw TopologyCacheError(error.description)
        }
        var seen = Set<Int>()
        for entry in cache.cpus {
            guard entry.id >= 0, seen.insert(entry.id).inserted else {
                throw TopologyCacheError("CPU \(entry.id) is negative or listed twice")
            }
            guard entry.threadSiblings.contains(entry.id), entry.lastLevelCache?.contains(entry.id) ?? true else {
                throw TopologyCacheError("CPU \(entry.id) is missing from its own sibling or cache list")
            }
        }
        return cache
    }

    public func encoded() -> Data {
        Data(JSONWriter.pretty((try? JSONValueEncoder().encode(self)) ?? .null).utf8)
    }
}

public struct TopologyCacheError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension StateDirectory {
    /// The cache, nil when there is none; a file that does not parse or
    /// check is reported in `problem` and treated as absent (the next save
    /// replaces it). Never throws: a bad cache must not stop an observation.
    public func loadTopologyCache() -> (cache: TopologyCache?, problem: String?) {
        guard let data = read(TopologyCache.fileName) else { return (nil, nil) }
        do {
            return (try TopologyCache.decode(data), nil)
        } catch {
            return (nil, "ignoring the corrupt topology cache \(file(TopologyCache.fileName).path) (\(error)); it will be rewritten")
        }
    }

    public func saveTopologyCache(_ cache: TopologyCache) throws {
        try writeAtomically(cache.encoded(), to: TopologyCache.fileName)
    }
}
