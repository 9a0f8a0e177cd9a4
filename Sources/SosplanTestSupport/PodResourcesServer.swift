import Foundation
import SosplanCore

/// A real gRPC server speaking the kubelet's pod-resources API v1 (Python's
/// grpcio, `Tests/Kubernetes/pod_resources_server.py`) on a unix socket in
/// a scratch directory, built from the project's own
/// `Protos/kubelet-podresources-v1.proto`. It answers from a scenario the
/// test writes (`set`), read again on every call, and records each call.
public final class PodResourcesServer: @unchecked Sendable {
    public let scratch: ScratchDirectory
    public let process = Process()
    private let input = Pipe()

    public var socket: String { scratch.path("kubelet.sock").path }
    var scenarioFile: URL { scratch.path("scenario.json") }
    var callsFile: URL { scratch.path("calls") }

    public static var script: URL { RepositoryPaths.tests.appendingPathComponent("Kubernetes/pod_resources_server.py") }
    public static var proto: URL { RepositoryPaths.root.appendingPathComponent("Protos/kubelet-podresources-v1.proto") }

    /// Why no server can run here (python3, grpcio, grpcio-tools), or nil.
    public static let unavailableReason: String? = {
        guard let r = try? CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import grpc, grpc_tools.protoc"])
        else { return "python3 is not installed: the pod-resources tests need python3 with grpcio and grpcio-tools" }
        return r.status == 0
            ? nil : "python3 cannot import grpcio and grpcio-tools (python3 -m pip install grpcio grpcio-tools; .ci/run does)"
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    /// Starts the server answering `resources`; returns once it serves.
    public init(_ resources: KubeletPodResources) throws {
        scratch = try ScratchDirectory("podres")
        try set(resources)
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script.path, "--proto", Self.proto.path, "--socket", socket, "--scenario", scenarioFile.path,
            "--calls", callsFile.path,
        ]
        process.standardInput = input
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "ready" once it listens; EOF when it could not start.
        let line = out.fileHandleForReading.readData(ofLength: 6)
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else {
            stop()
            throw SchemaCheck.Unavailable(description: "the pod-resources test server did not start")
        }
    }

    /// What the next calls answer.
    public func set(_ resources: KubeletPodResources) throws {
        try JSONWriter.pretty(Self.scenario(resources)).write(to: scenarioFile, atomically: true, encoding: .utf8)
    }

    /// The methods called so far, in order.
    public var calls: [String] {
        ((try? String(contentsOf: callsFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        scratch.remove()
    }

    /// The scenario file: the server's field names, CPU ids as numbers.
    static func scenario(_ r: KubeletPodResources) -> JSONValue {
        func ids(_ cpus: CPUSet) -> JSONValue { .array(cpus.map { .int($0) }) }
        func memory(_ blocks: [KubeletPodResources.MemoryBlock]) -> JSONValue {
            .array(blocks.map { .object([("type", .string($0.type)), ("bytes", .uint($0.bytes)), ("nodes", .array($0.nodes.map { .int($0) }))]) })
        }
        func devices(_ devices: [KubeletPodResources.Device]) -> JSONValue {
            .array(devices.map {
                .object([("resource", .string($0.resource)), ("ids", .array($0.ids.map(JSONValue.string))), ("nodes", .array($0.nodes.map { .int($0) }))])
            })
        }
        let pods = r.pods.map { pod in
            JSONValue.object([
                ("namespace", .string(pod.namespace)), ("name", .string(pod.name)),
                ("containers", .array(pod.containers.map {
                    .object([("name", .string($0.name)), ("cpus", ids($0.cpus)), ("memory", memory($0.memory)), ("devices", devices($0.devices))])
                })),
            ])
        }
        return .object([
            ("allocatable", .object([("cpus", ids(r.allocatable.cpus)), ("memory", memory(r.allocatable.memory)), ("devices", devices(r.allocatable.devices))])),
            ("pods", .array(pods)),
        ])
    }
}
