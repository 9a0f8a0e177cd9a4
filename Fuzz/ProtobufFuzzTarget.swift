/// The kubelet's pod-resources answers as the hand-written protobuf reader
/// takes them (bytes from a socket; the first input byte picks `List` or
/// `GetAllocatableResources`): no crash or hang, and what it accepts,
/// written again field by field, reads back the same.
struct ProtobufFuzzTarget: FuzzTarget {
    func prepare() {}

    func run(_ bytes: [UInt8]) {
        guard let selector = bytes.first else { return }
        var reader = ProtobufReader(Array(bytes.dropFirst()))
        if selector % 2 == 0 {
            guard let list = try? PodResourcesV1.ListResponse(&reader) else { return }
            var again = ProtobufReader(Self.list(list))
            FuzzCheck.require((try? PodResourcesV1.ListResponse(&again)) == list, "a List answer does not read back")
        } else {
            guard let allocatable = try? PodResourcesV1.AllocatableResponse(&reader) else { return }
            var again = ProtobufReader(Self.allocatable(allocatable))
            FuzzCheck.require(
                (try? PodResourcesV1.AllocatableResponse(&again)) == allocatable, "an allocatable answer does not read back")
        }
    }

    // A minimal writer of the same messages (proto3: defaults left out,
    // repeated int64s packed), for the round trip.
    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        return out + [UInt8(v)]
    }

    static func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload }
    static func string(_ number: UInt64, _ s: String) -> [UInt8] { s.isEmpty ? [] : field(number, Array(s.utf8)) }
    static func int64s(_ number: UInt64, _ v: [Int64]) -> [UInt8] {
        v.isEmpty ? [] : field(number, v.flatMap { varint(UInt64(bitPattern: $0)) })
    }
    static func topology(_ nodes: [Int64]) -> [UInt8] {
        nodes.flatMap { id in field(1, id == 0 ? [] : varint(1 << 3) + varint(UInt64(bitPattern: id))) }
    }
    static func memory(_ m: PodResourcesV1.Memory) -> [UInt8] {
        string(1, m.type) + (m.size == 0 ? [] : varint(2 << 3) + varint(m.size)) + (m.nodes.isEmpty ? [] : field(3, topology(m.nodes)))
    }
    static func devices(_ d: PodResourcesV1.Devices) -> [UInt8] {
        string(1, d.resource) + d.ids.flatMap { field(2, Array($0.utf8)) } + (d.nodes.isEmpty ? [] : field(3, topology(d.nodes)))
    }
    static func list(_ l: PodResourcesV1.ListResponse) -> [UInt8] {
        l.pods.flatMap { pod in
            field(1, string(1, pod.name) + string(2, pod.namespace) + pod.containers.flatMap { c in
                field(3, string(1, c.name) + c.devices.flatMap { field(2, devices($0)) } + int64s(3, c.cpuIDs)
                    + c.memory.flatMap { field(4, memory($0)) })
            })
        }
    }
    static func allocatable(_ a: PodResourcesV1.AllocatableResponse) -> [UInt8] {
        a.devices.flatMap { field(1, devices($0)) } + int64s(2, a.cpuIDs) + a.memory.flatMap { field(3, memory($0)) }
    }
}
