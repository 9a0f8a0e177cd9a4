import Testing

@testable import SosplanKubernetes

/// The hand-written protobuf reader on bytes built here field by field
/// (the real grpcio server's bytes are `PodResourcesClientTests`'): both
/// encodings of a repeated int64, unknown fields of every wire type
/// skipped, merged message fields, and every kind of damage an error.
@Suite struct ProtobufReaderTests {
    /// Wire-format bytes, written the way the encoding guide describes.
    struct Wire {
        var bytes: [UInt8] = []

        static func varint(_ v: UInt64) -> [UInt8] {
            var v = v, out: [UInt8] = []
            while v >= 0x80 {
                out.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            return out + [UInt8(v)]
        }

        func tag(_ field: UInt64, _ type: UInt64) -> Wire { Wire(bytes: bytes + Self.varint(field << 3 | type)) }
        func int(_ field: UInt64, _ v: UInt64) -> Wire { Wire(bytes: tag(field, 0).bytes + Self.varint(v)) }
        func bytes(_ field: UInt64, _ b: [UInt8]) -> Wire {
            Wire(bytes: tag(field, 2).bytes + Self.varint(UInt64(b.count)) + b)
        }
        func string(_ field: UInt64, _ s: String) -> Wire { bytes(field, Array(s.utf8)) }
        func message(_ field: UInt64, _ m: Wire) -> Wire { bytes(field, m.bytes) }
        func packed(_ field: UInt64, _ values: [Int64]) -> Wire {
            bytes(field, values.flatMap { Self.varint(UInt64(bitPattern: $0)) })
        }
    }

    func list(_ w: Wire) throws(ProtobufError) -> PodResourcesV1.ListResponse {
        var r = ProtobufReader(w.bytes)
        return try PodResourcesV1.ListResponse(&r)
    }

    func allocatable(_ w: Wire) throws(ProtobufError) -> PodResourcesV1.AllocatableResponse {
        var r = ProtobufReader(w.bytes)
        return try PodResourcesV1.AllocatableResponse(&r)
    }

    static func topology(_ ids: [Int64]) -> Wire {
        ids.reduce(Wire()) { $0.message(1, Wire().int(1, UInt64(bitPattern: $1))) }
    }

    @Test func aPodWithEveryFieldReadsBack() throws {
        let container = Wire().string(1, "main")
            .message(2, Wire().string(1, "example.com/nic").string(2, "0000:3b:00.0").string(2, "0000:3b:00.1").message(3, Self.topology([0])))
            .packed(3, [2, 3, 18, 19])
            .message(4, Wire().string(1, "hugepages-1Gi").int(2, 2 << 30).message(3, Self.topology([0, 1])))
        let pod = Wire().string(1, "solver-0").string(2, "hpc").message(3, container).message(3, Wire().string(1, "sidecar"))
        let read = try list(Wire().message(1, pod).message(1, Wire().string(1, "web").string(2, "default")))
        #expect(read == PodResourcesV1.ListResponse(pods: [
            .init(name: "solver-0", namespace: "hpc", containers: [
                .init(
                    name: "main", devices: [.init(resource: "example.com/nic", ids: ["0000:3b:00.0", "0000:3b:00.1"], nodes: [0])],
                    cpuIDs: [2, 3, 18, 19], memory: [.init(type: "hugepages-1Gi", size: 2 << 30, nodes: [0, 1])]),
                .init(name: "sidecar"),
            ]),
            .init(name: "web", namespace: "default", containers: []),
        ]))
        #expect(try list(Wire()) == PodResourcesV1.ListResponse(), "an empty message is the default one")
    }

    /// Readers must take a repeated scalar packed and one by one, even mixed.
    @Test func repeatedCPUIDsPackedUnpackedOrMixed() throws {
        #expect(try allocatable(Wire().packed(2, [0, 1, 127])).cpuIDs == [0, 1, 127])
        #expect(try allocatable(Wire().int(2, 5).int(2, 6)).cpuIDs == [5, 6])
        #expect(try allocatable(Wire().int(2, 5).packed(2, [6, 7]).int(2, 8)).cpuIDs == [5, 6, 7, 8])
        #expect(try allocatable(Wire().packed(2, [-1])).cpuIDs == [-1], "int64 is two's complement in ten bytes")
        #expect(try allocatable(Wire().packed(2, [])).cpuIDs == [])
    }

    /// A newer kubelet's fields, of every wire type, are passed over; a
    /// singular field given twice keeps the last, a message field merges.
    @Test func unknownFieldsAreSkippedAndRepeatsMerge() throws {
        var w = Wire().int(9, 1)
        w = Wire(bytes: w.tag(10, 1).bytes + [1, 2, 3, 4, 5, 6, 7, 8])
        w = Wire(bytes: w.tag(11, 5).bytes + [1, 2, 3, 4])
        w = w.string(12, "future").packed(2, [4])
        let memory = Wire().string(1, "memory").string(1, "hugepages-2Mi").int(2, 1).int(2, 4096)
            .message(3, Self.topology([0])).message(3, Self.topology([1])).int(99, 7)
        let read = try allocatable(w.message(3, memory))
        #expect(read.cpuIDs == [4])
        #expect(read.memory == [.init(type: "hugepages-2Mi", size: 4096, nodes: [0, 1])])
    }

    @Test(arguments: [
        // Field 9 is none of the message's: its value is skipped.
        ([0x48], "a varint runs past the end"),  // a tag, no value
        ([0x48, 0x80], "a varint runs past the end"),
        ([0x0A, 0x05, 0x01], "runs past the end"),  // 5 bytes announced, 1 there
        ([0x0A] + Wire.varint(UInt64.max), "runs past the end"),
        ([0x48] + [UInt8](repeating: 0xFF, count: 9) + [0x02], "does not fit 64 bits"),
        ([0x48] + [UInt8](repeating: 0x80, count: 10) + [0x00], "does not fit 64 bits"),
        ([0x0B], "wire type 3"),  // a proto2 group
        ([0x0C], "wire type 4"),
        ([0x0E], "wire type 6"),
        ([0x00, 0x00], "field number 0"),
        ([0x4D, 0x01, 0x02], "a fixed-size field runs past the end"),  // field 9, fixed32, 2 of 4 bytes
    ] as [([UInt8], String)])
    func damagedBytesAreAnErrorNeverACrash(_ bytes: [UInt8], _ reason: String) {
        var r = ProtobufReader(bytes)
        let error = #expect(throws: ProtobufError.self) { try PodResourcesV1.ListResponse(&r) }
        #expect(error?.description.hasPrefix("not a valid protobuf message: ") == true)
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func aKnownFieldOfTheWrongTypeOrNotUTF8IsAnError() {
        let cases: [(Wire, String)] = [
            (Wire().int(1, 3), "a message field with wire type 0"),  // pod_resources as a varint
            (Wire().message(1, Wire().int(1, 3)), "a string field with wire type 0"),  // a pod's name as a varint
            (Wire().message(1, Wire().bytes(1, [0x66, 0xFF, 0x6F])), "a string is not UTF-8"),
            (Wire().message(1, Wire().message(3, Wire(bytes: Wire().tag(3, 5).bytes + [1, 2, 3, 4]))), "an int64 field with wire type 5"),
        ]
        for (w, reason) in cases {
            let error = #expect(throws: ProtobufError.self) { try list(w) }
            #expect(error?.description.contains(reason) == true, "\(reason): \(String(describing: error))")
        }
    }
}
