/// The kubelet's pod-resources API v1 messages sosplan reads, as
/// `Protos/kubelet-podresources-v1.proto` declares them (field numbers in
/// the comments); decoded by `ProtobufReader`. The requests are empty
/// messages, zero bytes on the wire. Fields not read here are skipped.
enum PodResourcesV1 {
    /// `ListPodResourcesResponse`.
    struct ListResponse: Equatable {
        var pods: [Pod] = []

        init(pods: [Pod] = []) { self.pods = pods }

        init(_ r: inout ProtobufReader) throws(ProtobufError) {
            while let (field, type) = try r.nextField() {
                switch field {
                case 1: var m = try r.message(type); pods.append(try Pod(&m))  // pod_resources
                default: try r.skip(type)
                }
            }
        }
    }

    /// `PodResources`.
    struct Pod: Equatable {
        var name = "", namespace = ""
        var containers: [Container] = []

        init(name: String, namespace: String, containers: [Container]) {
            self.name = name
            self.namespace = namespace
            self.containers = containers
        }

        init(_ r: inout ProtobufReader) throws(ProtobufError) {
            while let (field, type) = try r.nextField() {
                switch field {
                case 1: name = try r.string(type)
                case 2: namespace = try r.string(type)
                case 3: var m = try r.message(type); containers.append(try Container(&m))
                default: try r.skip(type)
                }
            }
        }
    }

    /// `ContainerResources`.
    struct Container: Equatable {
        var name = ""
        var devices: [Devices] = []
        var cpuIDs: [Int64] = []
        var memory: [Memory] = []

        init(name: String, devices: [Devices] = [], cpuIDs: [Int64] = [], memory: [Memory] = []) {
            self.name = name
            self.devices = devices
            self.cpuIDs = cpuIDs
            self.memory = memory
        }

        init(_ r: inout ProtobufReader) throws(ProtobufError) {
            while let (field, type) = try r.nextField() {
                switch field {
                case 1: name = try r.string(type)
                case 2: var m = try r.message(type); devices.append(try Devices(&m))
                case 3: try r.int64s(type, into: &cpuIDs)
                case 4: var m = try r.message(type); memory.append(try Memory(&m))
                default: try r.skip(type)
                }
            }
        }
    }

    /// `ContainerMemory`: "memory" or "hugepages-<size>", bytes, NUMA nodes.
    struct Memory: Equatable {
        var type = ""
        var size: UInt64 = 0
        var nodes: [Int64] = []

        init(type: String, size: UInt64, nodes: [Int64]) {
            self.type = type
            self.size = size
            self.nodes = nodes
        }

        init(_ r: inout ProtobufReader) throws(ProtobufError) {
            while let (field, type) = try r.nextField() {
                switch field {
                case 1: self.type = try r.string(type)
                case 2: size = try r.varint(type)
                case 3: var m = try r.message(type); nodes += try Self.topology(&m)
                default: try r.skip(type)
                }
            }
        }

        /// `TopologyInfo` (`repeated NUMANode nodes = 1`, `int64 ID = 1`):
        /// the node ids.
        static func topology(_ r: inout ProtobufReader) throws(ProtobufError) -> [Int64] {
            var ids: [Int64] = []
            while let (field, type) = try r.nextField() {
                guard field == 1 else {
                    try r.skip(type)
                    continue
                }
                var node = try r.message(type)
                var id: Int64 = 0
                while let (field, type) = try node.nextField() {
                    if field == 1 { id = Int64(bitPattern: try node.varint(type)) } else { try node.skip(type) }
                }
                ids.append(id)
            }
            return ids
        }
    }

    /// `ContainerDevices`.
    struct Devices: Equatable {
        var resource = ""
        var ids: [String] = []
        var nodes: [Int64] = []

        init(resource: String, ids: [String], nodes: [Int64]) {
            self.resource = resource
            self.ids = ids
            self.nodes = nodes
        }

        init(_ r: inout ProtobufReader) throws(ProtobufError) {
            while let (field, type) = try r.nextField() {
                switch field {
                case 1: resource = try r.string(type)
                case 2: ids.append(try r.string(type))
                case 3: var m = try r.message(type); nodes += try Memory.topology(&m)
                default: try r.skip(type)
                }
            }
        }
    }

    /// `AllocatableResourcesResponse`.
    struct AllocatableResponse: Equatable {
        var devices: [Devices] = []
        var cpuIDs: [Int64] = []
        var memory: [Memory] = []

        init(devices: [Devices] = [], cpuIDs: [Int64] = [], memory: [Memory] = []) {
            self.devices = devices
            self.cpuIDs = cpuIDs
            self.memory = memory
        }

        init(_ r: inout ProtobufReader) throws(ProtobufError) {
            while let (field, type) = try r.nextField() {
                switch field {
                case 1: var m = try r.message(type); devices.append(try Devices(&m))
                case 2: try r.int64s(type, into: &cpuIDs)
                case 3: var m = try r.message(type); memory.append(try Memory(&m))
                default: try r.skip(type)
                }
            }
        }
    }
}
