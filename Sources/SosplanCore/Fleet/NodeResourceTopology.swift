/// One Kubernetes `NodeResourceTopology` object (`topology.node.k8s.io/v1alpha2`,
/// k8stopologyawareschedwg/noderesourcetopology-api `pkg/apis/topology/v1alpha2/types.go`):
/// what a topology-aware scheduler reads about one node. Fields in the
/// order of the published types; quantities are Kubernetes quantity strings.
public struct NodeResourceTopology: Codable, Sendable, Hashable {
    public static let apiVersionID = "topology.node.k8s.io/v1alpha2"
    public static let kindName = "NodeResourceTopology"
    /// The zone type the API's helper names for a NUMA node.
    public static let numaZoneType = "Node"
    /// The attributes topology-aware schedulers read the kubelet's Topology
    /// Manager settings from (noderesourcetopology-api `pkg/apis/topology/
    /// v1alpha2/helper/attribute`; scheduler-plugins `pkg/noderesourcetopology/
    /// nodeconfig/topologymanager.go`).
    public static let policyAttribute = "topologyManagerPolicy"
    public static let scopeAttribute = "topologyManagerScope"
    /// The scheduler plugin keeps NUMA ids in 64-entry tables and skips (or,
    /// at exactly 64, trips over) a zone `node-<id>` with a larger id.
    public static let maximumZones = 64

    public var apiVersion: String
    public var kind: String
    public var metadata: Metadata
    /// Deprecated by the API in favour of `attributes` and not required by
    /// v1alpha2 (only v1alpha1 required it); the scheduler logs a
    /// deprecation warning each time it reads it, and the reference exporter
    /// leaves it out, so sosplan writes none (nil: omitted).
    public var topologyPolicies: [String]?
    public var zones: [Zone]
    public var attributes: [Attribute]

    public init(name: String, topologyPolicies: [String]? = nil, zones: [Zone], attributes: [Attribute]) {
        apiVersion = Self.apiVersionID
        kind = Self.kindName
        metadata = Metadata(name: name)
        self.topologyPolicies = topologyPolicies
        self.zones = zones
        self.attributes = attributes
    }

    public struct Metadata: Codable, Sendable, Hashable {
        /// The Kubernetes node's name: the object is cluster-scoped, one per node.
        public var name: String
    }

    public struct Zone: Codable, Sendable, Hashable {
        /// `node-<id>`, the API's convention for NUMA zones.
        public var name: String
        public var type: String
        /// Distance to each zone (itself included), from the SLIT.
        public var costs: [Cost]
        public var resources: [Resource]

        public init(name: String, type: String = NodeResourceTopology.numaZoneType, costs: [Cost], resources: [Resource]) {
            self.name = name
            self.type = type
            self.costs = costs
            self.resources = resources
        }

        public func resource(_ name: String) -> Resource? { resources.first { $0.name == name } }

        /// The NUMA id the scheduler reads from the name (`node-<id>`).
        public var numaID: Int? {
            guard name.hasPrefix("node-"), let id = Int(name.dropFirst(5)), id >= 0 else { return nil }
            return id
        }
    }

    public struct Cost: Codable, Sendable, Hashable {
        public var name: String
        public var value: Int

        public init(name: String, value: Int) {
            self.name = name
            self.value = value
        }
    }

    public struct Attribute: Codable, Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `capacity` ≥ `allocatable` ≥ `available`, as whole numbers (CPUs,
    /// bytes) written as quantity strings.
    public struct Resource: Codable, Sendable, Hashable {
        public var name: String
        public var capacity: String
        public var allocatable: String
        public var available: String

        public init(name: String, capacity: UInt64, allocatable: UInt64, available: UInt64) {
            self.name = name
            self.capacity = String(capacity)
            self.allocatable = String(allocatable)
            self.available = String(available)
        }
    }

    public static func zoneName(node: Int) -> String { "node-\(node)" }

    /// `hugepages-2Mi`, `hugepages-1Gi`: Kubernetes' resource name for a
    /// page size, the size in its largest exact binary unit.
    public static func hugepageResourceName(sizeBytes: UInt64) -> String {
        var value = sizeBytes
        var unit = ""
        for next in ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] where value >= 1024 && value % 1024 == 0 {
            value /= 1024
            unit = next
        }
        return "hugepages-\(value)\(unit)"
    }

    public func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

    public func jsonValue() -> JSONValue { (try? JSONValueEncoder().encode(self)) ?? .null }

    public func jsonText() -> String { JSONWriter.pretty(jsonValue()) }
}

extension NodeResourceTopology {
    /// Whether `name` can name a Kubernetes node (an RFC 1123 DNS subdomain:
    /// lower-case letters, digits, `-` and `.`, at most 253 characters,
    /// each label starting and ending with a letter or digit).
    public static func isValidNodeName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
            func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
            return alnum(first) && alnum(last) && bytes.allSatisfy { alnum($0) || $0 == 0x2d }
        }
    }
}
