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

    struct ListDeserializer: MessageDeserializer {
        func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> PodResourcesV1.ListResponse {
            var reader = ProtobufReader(bytes.withUnsafeBytes { Array($0) })
            return try PodResourcesV1.ListResponse(&reader)
        }
    }

    struct AllocatableDeserializer: MessageDeserializer {
        func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> PodResourcesV1.AllocatableResponse {
            var reader = ProtobufReader(bytes.withUnsafeBytes { Array($0) })
            return try PodResourcesV1.AllocatableResponse(&reader)
        }
    }
}
