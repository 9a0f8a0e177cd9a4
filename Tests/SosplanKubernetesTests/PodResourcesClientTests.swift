import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The pod-resources client (grpc-swift 2 over a unix socket), as `sosplan`
/// runs it (`sosplan-kube pod-resources`, a process of its own), against a
/// real gRPC server, Python's grpcio, built from the same project-owned
/// .proto: every field of `GetAllocatableResources` and `List` comes across
/// as the server sent it and reads back the same; a missing kubelet is an
/// error at once, not a wait. (In this test process the client would share
/// Swift's cooperative pool with the synchronous tests beside it, which
/// hold it until the call's deadline passes.)
@Suite(.enabled(if: PodResourcesServer.isAvailable, "\(PodResourcesServer.unavailableReason ?? "")"))
struct PodResourcesClientTests {
    static let resources = KubeletPodResources(
        allocatable: .init(
            cpus: CPUSet([2, 3, 4, 5, 18, 19, 20, 21]),
            memory: [.init(type: "memory", bytes: 8 << 30, nodes: [0]), .init(type: "hugepages-1Gi", bytes: 2 << 30, nodes: [1])],
            devices: [.init(resource: "example.com/nic", ids: ["0000:3b:00.0", "0000:3b:00.1"], nodes: [0])]),
        pods: [
            .init(namespace: "hpc", name: "solver-0", containers: [
                .init(
                    name: "main", cpus: CPUSet([2, 3, 18, 19]), memory: [.init(type: "memory", bytes: 1 << 30, nodes: [0, 1])],
                    devices: [.init(resource: "example.com/nic", ids: ["0000:3b:00.0"], nodes: [0])]),
                .init(name: "log-shipper"),
            ]),
            .init(namespace: "default", name: "web-7d9f", containers: [.init(name: "nginx")]),
        ])

    static let helper = RepositoryPaths.product("sosplan-kube")

    @Test func everyFieldComesAcrossAsTheServerSentIt() throws {
        let server = try PodResourcesServer(Self.resources)
        defer { server.stop() }
        let ok = try CommandRunner.run(Self.helper, ["pod-resources", "--socket", server.socket])
        try #require(ok.status == 0, "\(ok.stderr)")
        let read = try KubeletPodResources.decode(json: ok.stdout)
        #expect(read == Self.resources)
        #expect(server.calls == ["GetAllocatableResources", "List"])
        #expect(read.exclusiveCPUs == CPUSet([2, 3, 18, 19]))
    }

    @Test func aMissingKubeletIsAnErrorAtOnce() throws {
        let scratch = try ScratchDirectory("no-kubelet")
        defer { scratch.remove() }
        let socket = scratch.path("kubelet.sock").path
        let started = Date()
        let missing = try CommandRunner.run(Self.helper, ["pod-resources", "--socket", socket, "--timeout", "20"])
        #expect(Date().timeIntervalSince(started) < 10, "waited for a kubelet that is not there")
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("sosplan-kube: error:") && missing.stderr.contains(socket), "\(missing.stderr)")
        let bad = try CommandRunner.run(Self.helper, ["pod-resources", "--timeout", "0"])
        #expect(bad.status == 64 && bad.stderr.hasPrefix("Error: --timeout must be more than 0"), "\(bad.stderr)")
        #expect(bad.stderr.contains("Usage: sosplan-kube pod-resources [<options>]\n"))
    }

    /// JSON that is not the helper's is refused, whatever it holds.
    @Test func theJSONIsCheckedWhenReadBack() {
        for text in [
            "", "[]", #"{"schema":"sosplan.snapshot/v1"}"#,
            #"{"schema":"sosplan.podresources/v1","allocatable":{"cpus":"0-3","memory":[],"devices":[]},"pods":"none"}"#,
            #"{"schema":"sosplan.podresources/v1","allocatable":{"cpus":"0-3","memory":[{"type":"memory","bytes":1,"nodes":[-4]}],"devices":[]},"pods":[]}"#,
        ] {
            #expect(throws: KubeletPodResources.DecodingError.self, "\(text)") { try KubeletPodResources.decode(json: text) }
        }
    }
}
