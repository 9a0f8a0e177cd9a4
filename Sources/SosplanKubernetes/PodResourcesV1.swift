/// The kubelet's pod-resources API v1 messages sosplan reads, as
/// `Protos/kubelet-podresources-v1.proto` declares them (field numbers in
/// the decoders below); decoded by `ProtobufReader`. The requests are
/// empty messages, zero bytes on the wire. Fields not read here are
/// skipped; a singular field given twice keeps the last, a message field
/// given twice merges (its repeated fields add up), as protobuf says.
enum PodResourcesV1 {
    /// `ListPodResourcesResponse`.
    struct ListResponse: Equatable {
        var pods: [Pod] = []
    }

    /// `PodResources`.
    struct Pod: Equatable {
        var name = "", namespace = ""
        var containers: [Container] = []
    }

    /// `ContainerResources`.
    struct Container: Equatable {
        var name = ""
        var devices: [Devices] = []
        var cpuIDs: [Int64] = []
        var memory: [Memory] = []
    }

    /// `ContainerMemory`: "memory" or "hugepages-<size>", bytes, NUMA nodes.
    struct Memory: Equatable {
        var type = ""
        var size: UInt64 = 0
        var nodes: [Int64] = []
    }

    /// `ContainerDevices`.
    struct Devices: Equatable {
        var resource = ""
        var ids: [String] = []
        var nodes: [Int64] = []
    }

    /// `AllocatableResourcesResponse`.
    struct AllocatableResponse: Equatable {
        var devices: [Devices] = []
        var cpuIDs: [Int64] = []
        var memory: [Memory] = []
    }

    /// `TopologyInfo` (`repeated NUMANode nodes = 1`, each `int64 ID = 1`):
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

// The decoders, apart so that each message keeps its memberwise initializer.

extension PodResourcesV1.ListResponse {
    init(_ r: inout ProtobufReader) throws(ProtobufError) {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: var m = try r.message(type); pods.append(try .init(&m))  // pod_resources
            default: try r.skip(type)
            }
        }
    }
}

extension PodResourcesV1.Pod {
    init(_ r: inout ProtobufReader) throws(ProtobufError) {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: name = try r.string(type)
            case 2: namespace = try r.string(type)
            case 3: var m = try r.message(type); containers.append(try .init(&m))
            default: try r.skip(type)
            }
        }
    }
}

extension PodResourcesV1.Container {
    init(_ r: inout ProtobufReader) throws(ProtobufError) {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: name = try r.string(type)
            case 2: var m = try r.message(type); devices.append(try .init(&m))
            case 3: try r.int64s(type, into: &cpuIDs)  // cpu_ids
            case 4: var m = try r.message(type); memory.append(try .init(&m))
            default: try r.skip(type)
            }
        }
    }
}

extension PodResourcesV1.Memory {
    init(_ r: inout ProtobufReader) throws(ProtobufError) {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: self.type = try r.string(type)  // memory_type
            case 2: size = try r.varint(type)
            case 3: var m = try r.message(type); nodes += try PodResourcesV1.topology(&m)
            default: try r.skip(type)
            }
        }
    }
}

extension PodResourcesV1.Devices {
    init(_ r: inout ProtobufReader) throws(ProtobufError) {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: resource = try r.string(type)  // resource_name
            case 2: ids.append(try r.string(type))  // device_ids
            case 3: var m = try r.message(type); nodes += try PodResourcesV1.topology(&m)
            default: try r.skip(type)
            }
        }
    }
}

extension PodResourcesV1.AllocatableResponse {
    init(_ r: inout ProtobufReader) throws(ProtobufError) {
        while let (field, type) = try r.nextField() {
            switch field {
            case 1: var m = try r.message(type); devices.append(try .init(&m))
            case 2: try r.int64s(type, into: &cpuIDs)  // cpu_ids
            case 3: var m = try r.message(type); memory.append(try .init(&m))
            default: try r.skip(type)
            }
        }
    }
}
