/// What the kubelet's pod-resources API (v1: `GetAllocatableResources` and
/// `List`) reports, in sosplan's own terms: the CPUs and pinned memory the
/// kubelet may hand out, and what each running pod's containers hold
/// exclusively. `sosplan-kube pod-resources` reads it over gRPC and prints
/// it as the `sosplan.podresources/v1` JSON, which `sosplan` reads back
/// (untrusted: checked like any input).
public struct KubeletPodResources: Codable, Sendable, Hashable {
    public static let schemaID = "sosplan.podresources/v1"

    public var schema: String
    public var allocatable: Allocatable
    public var pods: [Pod]

    public init(allocatable: Allocatable, pods: [Pod]) {
        schema = Self.schemaID
        self.allocatable = allocatable
        self.pods = pods
    }

    /// `GetAllocatableResources`: the CPUs the CPU manager may give
    /// containers (all of the node's but `reservedSystemCPUs`), and the
    /// memory the memory manager may pin (only with its `Static` policy).
    public struct Allocatable: Codable, Sendable, Hashable {
        public var cpus: CPUSet
        public var memory: [MemoryBlock]
        public var devices: [Device]

        public init(cpus: CPUSet, memory: [MemoryBlock] = [], devices: [Device] = []) {
            self.cpus = cpus
            self.memory = memory
            self.devices = devices
        }
    }

    public struct Pod: Codable, Sendable, Hashable {
        public var namespace: String
        public var name: String
        public var containers: [Container]

        public init(namespace: String, name: String, containers: [Container]) {
            self.namespace = namespace
            self.name = name
            self.containers = containers
        }

        /// Whether the pod holds anything exclusively on a NUMA node: the
        /// reference exporter's rule for the `with-exclusive-resources`
        /// fingerprint (k8stopologyawareschedwg/resource-topology-exporter
        /// `pkg/podres/filter/numalocality/numalocality.go`, `Verify`):
        /// exclusive CPUs, pinned memory on a node, or devices on a node.
        public var holdsNUMAResources: Bool {
            containers.contains { c in
                !c.cpus.isEmpty || c.memory.contains { !$0.nodes.isEmpty }
                    || c.devices.contains { !$0.ids.isEmpty && !$0.nodes.isEmpty }
            }
        }
    }

    public struct Container: Codable, Sendable, Hashable {
        public var name: String
        /// CPUs the static CPU manager gave the container exclusively.
        public var cpus: CPUSet
        public var memory: [MemoryBlock]
        public var devices: [Device]

        public init(name: String, cpus: CPUSet = CPUSet(), memory: [MemoryBlock] = [], devices: [Device] = []) {
            self.name = name
            self.cpus = cpus
            self.memory = memory
            self.devices = devices
        }
    }

    /// Memory the memory manager pinned: `memory` or `hugepages-<size>`,
    /// in bytes, from these NUMA nodes (kernel ids).
    public struct MemoryBlock: Codable, Sendable, Hashable {
        public var type: String
        public var bytes: UInt64
        public var nodes: [Int]

        public init(type: String, bytes: UInt64, nodes: [Int]) {
            self.type = type
            self.bytes = bytes
            self.nodes = nodes
        }
    }

    /// A device plugin's devices (sosplan publishes no device resources;
    /// they count only for the pod fingerprint).
    public struct Device: Codable, Sendable, Hashable {
        public var resource: String
        public var ids: [String]
        public var nodes: [Int]

        public init(resource: String, ids: [String], nodes: [Int]) {
            self.resource = resource
            self.ids = ids
            self.nodes = nodes
        }
    }

    /// The CPUs some container holds exclusively, all pods together.
    public var exclusiveCPUs: CPUSet {
        pods.reduce(CPUSet()) { all, pod in pod.containers.reduce(all) { $0.union($1.cpus) } }
    }

    public func jsonValue() -> JSONValue { (try? JSONValueEncoder().encode(self)) ?? .null }

    public func jsonText() -> String { JSONWriter.pretty(jsonValue()) }

    /// The largest document read: 110 pods a node by default, a few KiB each at most.
    public static let maximumBytes = 16 << 20

    public struct DecodingError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Reads the JSON `sosplan-kube pod-resources` printed.
    public static func decode(json text: String) throws(DecodingError) -> KubeletPodResources {
        guard text.utf8.count <= maximumBytes else { throw DecodingError(description: "larger than \(maximumBytes) bytes") }
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw DecodingError(description: "not JSON: \(error)") }
        guard value["schema"]?.stringValue == schemaID else {
            throw DecodingError(description: "its schema is not \(schemaID)")
        }
        let decoded: KubeletPodResources
        do { decoded = try JSONValueDecoder().decode(KubeletPodResources.self, from: value) } catch {
            throw DecodingError(description: "\(error)")
        }
        if let bad = decoded.allNodes.first(where: { $0 < 0 || $0 > CPUSet.maximumID }) {
            throw DecodingError(description: "NUMA node \(bad) is out of range")
        }
        return decoded
    }

    private var allNodes: [Int] {
        var nodes = allocatable.memory.flatMap(\.nodes) + allocatable.devices.flatMap(\.nodes)
        for pod in pods {
            for c in pod.containers { nodes += c.memory.flatMap(\.nodes) + c.devices.flatMap(\.nodes) }
        }
        return nodes
    }
}
