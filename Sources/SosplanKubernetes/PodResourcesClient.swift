import GRPCCore
import GRPCNIOTransportHTTP2Posix
import SosplanCore

/// A client of the kubelet's pod-resources API (v1) on its unix socket:
/// `GetAllocatableResources`, then `List`, over one connection, as the
/// reference exporter reads them (k8stopologyawareschedwg/
/// resource-topology-exporter `pkg/resourcemonitor/resourcemonitor.go`).
/// gRPC is grpc-swift 2 with its NIO HTTP/2 transport; the messages are
/// read by hand (`PodResourcesV1`, `ProtobufReader`) as the project's own
/// `Protos/kubelet-podresources-v1.proto` declares them.
public struct PodResourcesClient: Sendable {
    /// Where kubelet serves the API (`<root-dir>/pod-resources/kubelet.sock`).
    public static let defaultSocket = "/var/lib/kubelet/pod-resources/kubelet.sock"
    static let service = "v1.PodResourcesLister"

    public var socket: String
    /// How long each call may take; the kubelet answers in milliseconds.
    public var timeout: Duration
    /// The largest answer taken (the kubelet's own limit is 16 MiB).
    public var maximumResponseBytes = 16 << 20

    public init(socket: String = PodResourcesClient.defaultSocket, timeout: Duration = .seconds(10)) {
        self.socket = socket
        self.timeout = timeout
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What the kubelet reports now.
    public func read() async throws(Failure) -> KubeletPodResources {
        let transport: HTTP2ClientTransport.Posix
        do {
            transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext)
        } catch {
            throw Failure(description: "cannot use the socket \(socket): \(error)")
        }
        var options = CallOptions.defaults
        options.timeout = timeout
        // A kubelet that is down is an answer now, not a wait until it comes back.
        options.waitForReady = false
        options.maxResponseMessageBytes = maximumResponseBytes
        do {
            let (allocatable, list) = try await withGRPCClient(transport: transport) { client in
                let allocatable = try await client.unary(
                    request: ClientRequest(message: PodResourcesCoding.EmptyRequest()),
                    descriptor: MethodDescriptor(fullyQualifiedService: Self.service, method: "GetAllocatableResources"),
                    serializer: PodResourcesCoding.EmptyRequestSerializer(),
                    deserializer: PodResourcesCoding.Deserializer<PodResourcesV1.AllocatableResponse>(),
                    options: options
                ) { try $0.message }
                let list = try await client.unary(
                    request: ClientRequest(message: PodResourcesCoding.EmptyRequest()),
                    descriptor: MethodDescriptor(fullyQualifiedService: Self.service, method: "List"),
                    serializer: PodResourcesCoding.EmptyRequestSerializer(),
                    deserializer: PodResourcesCoding.Deserializer<PodResourcesV1.ListResponse>(),
                    options: options
                ) { try $0.message }
                return (allocatable, list)
            }
            return try PodResourcesConversion.resources(allocatable: allocatable, list: list)
        } catch let failure as Failure {
            throw failure
        } catch let error as RPCError {
            throw Failure(description: "the kubelet's pod-resources API at \(socket) answered \(error.code): \(error.message)")
        } catch {
            throw Failure(description: "cannot read the kubelet's pod-resources API at \(socket): \(error)")
        }
    }
}
