import SosplanCore

/// What the scheduler plugin (kubernetes-sigs/scheduler-plugins
/// `pkg/noderesourcetopology`, NodeResourceTopologyMatch) takes from one
/// NodeResourceTopology object, read from the object's JSON alone the way
/// the plugin reads it, so tests compare that with the host and the pods:
/// - `createNUMANodeList` (pluginhelpers.go): only zones of type `Node`,
///   the NUMA id from the name through `numanode.NameToID` (`node-<int>`),
///   ids above `maxNUMAId` (64) skipped;
/// - `extractResources`: of each resource only `available`;
/// - `TopologyManagerFromNodeResourceTopology` (nodeconfig/
///   topologymanager.go): defaults `none`/`container`, the deprecated
///   `topologyPolicies[0]` first, then the `topologyManagerPolicy` and
///   `topologyManagerScope` attributes when their values are valid.
public struct SchedulerPluginView: Sendable, Equatable {
    /// NUMA id → resource name → available quantity.
    public var numaNodes: [Int: [String: UInt64]]
    public var policy: String
    public var scope: String
    /// Zones the plugin skips (wrong type, a name it cannot read, an id over 64).
    public var skippedZones: [String]

    public static let maximumNUMAID = 64

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ object: JSONValue) throws {
        numaNodes = [:]
        skippedZones = []
        policy = "none"
        scope = "container"
        for zone in object["zones"]?.arrayValue ?? [] {
            let name = zone["name"]?.stringValue ?? ""
            guard zone["type"]?.stringValue == "Node", let id = Self.nameToID(name), id <= Self.maximumNUMAID else {
                skippedZones.append(name)
                continue
            }
            var resources: [String: UInt64] = [:]
            for r in zone["resources"]?.arrayValue ?? [] {
                guard let rname = r["name"]?.stringValue else { continue }
                guard let q = r["available"].flatMap(Self.quantity) else {
                    throw ReadError(description: "\(name)/\(rname): available is no quantity the test can read")
                }
                resources[rname] = q
            }
            numaNodes[id] = resources
        }
        let policies = ["none", "best-effort", "restricted", "single-numa-node"]
        if let first = object["topologyPolicies"]?.arrayValue?.first?.stringValue {
            let legacy: [String: (String, String)] = [
                "SingleNUMANodePodLevel": ("single-numa-node", "pod"), "SingleNUMANodeContainerLevel": ("single-numa-node", "container"),
                "BestEffortPodLevel": ("best-effort", "pod"), "BestEffortContainerLevel": ("best-effort", "container"),
                "RestrictedPodLevel": ("restricted", "pod"), "RestrictedContainerLevel": ("restricted", "container"),
            ]
            if let (p, s) = legacy[first] { policy = p; scope = s }
        }
        for attribute in object["attributes"]?.arrayValue ?? [] {
            guard let name = attribute["name"]?.stringValue, let value = attribute["value"]?.stringValue else { continue }
            if name == "topologyManagerScope" && (value == "container" || value == "pod") { scope = value }
            if name == "topologyManagerPolicy" && policies.contains(value) { policy = value }
        }
    }

    /// `node-<int>`: what `numanode.NameToID` accepts.
    public static func nameToID(_ name: String) -> Int? {
        guard name.hasPrefix("node-"), let id = Int(name.dropFirst(5)), id >= 0 else { return nil }
        return id
    }

    /// A Kubernetes quantity as a whole number (integers and the binary and
    /// decimal suffixes); nil for anything else.
    public static func quantity(_ value: JSONValue) -> UInt64? {
        if let n = value.uint64Value { return n }
        guard let text = value.stringValue else { return nil }
        let suffixes: [(String, UInt64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40), ("Pi", 1 << 50), ("Ei", 1 << 60),
            ("k", 1_000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
            ("P", 1_000_000_000_000_000), ("E", 1_000_000_000_000_000_000),
        ]
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            return UInt64(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return UInt64(text)
    }

    /// The available CPUs per NUMA id.
    public var availableCPUs: [Int: UInt64] { numaNodes.compactMapValues { $0["cpu"] } }
    public var availableMemory: [Int: UInt64] { numaNodes.compactMapValues { $0["memory"] } }
}
