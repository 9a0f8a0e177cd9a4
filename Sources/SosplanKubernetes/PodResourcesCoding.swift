import GRPCCore

/// The pod-resources calls' messages for grpc-swift: the requests are
/// empty (zero bytes), the responses are read by `PodResourcesV1`.
enum PodResourcesCoding {
    /// Any empty request message (`ListPodResourcesRequest`,
    /// `AllocatableResourcesRequest`).
    struct EmptyRequest: Sendable {}

    struct EmptyRequestSerializer: MessageSerializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: EmptyRequest) throws -> Bytes { Bytes(repeating: 0, count: 0) }
    }

    /// A response, read by its `PodResourcesV1` decoder.
    struct Deserializer<Message: ProtobufDecodable>: MessageDeserializer {
        func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> Message {
            var reader = ProtobufReader(bytes.withUnsafeBytes { Array($0) })
            return try Message(&reader)
        }
    }
}

/// A message `ProtobufReader` decodes.
protocol ProtobufDecodable {
    init(_ reader: inout ProtobufReader) throws(ProtobufError)
}

extension PodResourcesV1.ListResponse: ProtobufDecodable {}
extension PodResourcesV1.AllocatableResponse: ProtobufDecodable {}
