import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The converged node end to end in a sandbox: a layout gives
/// `kubepods.slice` 12 CPUs of node 1 and applies it; the kubelet's
/// configuration (under the sandbox's root) says `single-numa-node`, scope
/// `pod`, and reserves every other CPU; a real gRPC server stands for the
/// kubelet's pod-resources API. `sosplan status --format nrt --pod-resources`
/// is read back as the scheduler plugin reads it: with no pods each zone
/// offers exactly the slice's CPUs there; two pods with exclusive CPUs on
/// node 1 take exactly those; every object validates against the upstream CRD.
@Suite(
    .serialized,
    .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"),
    .enabled(if: PodResourcesServer.isAvailable, "\(PodResourcesServer.unavailableReason ?? "")"))
struct StatusPodResourcesTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: converged}
        spec:
          policy: {topology: best-effort}
          host: {cpus: 2, confine: true}
          services:
            - {name: slurmd, units: [slurmd.service], cpus: {count: 4, numa: 0}}
            - {name: pods, existingSlice: kubepods.slice, cpus: {count: 12, numa: 1}}
        """

    func nrt(_ sandbox: Sandbox, _ socket: String) throws -> (text: String, object: JSONValue, view: SchedulerPluginView) {
        let r = try sandbox.sosplan(["status", "--format", "nrt", "--node-name", "worker-1", "--pod-resources", socket])
        try #require(r.status == 0, "\(r.stderr)")
        let object = try JSONParser.parse(r.stdout)
        return (r.stdout, object, try SchedulerPluginView(object))
    }

    @Test func availableIsTheSliceLessWhatPodsHold() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let file = sandbox.directory.appendingPathComponent("converged.yaml")
        try Self.layout.write(to: file, atomically: true, encoding: .utf8)
        let apply = try sandbox.sosplan(["apply", file.path, "--yes"])
        try #require(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

        let snapshot = try sandbox.snapshot()
        #expect(try sandbox.sosplan(["status"]).status == 0, "in sync after the apply")
        let planned = try sandbox.sosplan(["plan", file.path, "--format", "json"])
        let plan = try Plan.decode(json: planned.stdout)
        let slice = try #require(plan.placement.service("pods")?.cpus)
        #expect(snapshot.systemd?.unit("kubepods.slice")?.allowedCPUs == slice)
        let online = snapshot.topology.onlineCPUs
        let reserved = online.subtracting(slice)
        try ScratchDirectory.write(
            """
            apiVersion: kubelet.config.k8s.io/v1beta1
            kind: KubeletConfiguration
            cgroupDriver: systemd
            cpuManagerPolicy: static
            cpuManagerPolicyOptions: {strict-cpu-reservation: "true"}
            reservedSystemCPUs: "\(reserved)"
            topologyManagerPolicy: single-numa-node
            topologyManagerScope: pod

            """, to: "var/lib/kubelet/config.yaml", in: sandbox.root)

        let server = try PodResourcesServer(KubeletPodResources(allocatable: .init(cpus: online.subtracting(reserved)), pods: []))
        defer { server.stop() }
        let idle = try nrt(sandbox, server.socket)
        var perNode: [Int: UInt64] = [:]
        for node in snapshot.topology.nodes { perNode[node.id] = UInt64(slice.intersection(node.cpus).count) }
        #expect(perNode == [0: 0, 1: 12])
        // allocatable = the slice's CPUs on each node; available the same without pods.
        for zone in idle.object["zones"]?.arrayValue ?? [] {
            let id = try #require(SchedulerPluginView.nameToID(zone["name"]?.stringValue ?? ""))
            let cpu = zone["resources"]?.arrayValue?.first { $0["name"]?.stringValue == "cpu" }
            #expect(cpu?["allocatable"]?.stringValue == "\(perNode[id] ?? 99)", "\(zone)")
        }
        #expect(idle.view.availableCPUs == perNode)
        #expect(idle.view.policy == "single-numa-node" && idle.view.scope == "pod", "the kubelet's, not the layout's best-effort")
        #expect(idle.view.availableMemory[0] == 0, "the slice's memory is node 1's")

        // Two Guaranteed pods get exclusive CPUs of the slice on node 1.
        let a = CPUSet(slice.sorted.prefix(2)), b = CPUSet(slice.sorted.suffix(4))
        try server.set(KubeletPodResources(allocatable: .init(cpus: online.subtracting(reserved)), pods: [
            .init(namespace: "hpc", name: "solver-0", containers: [.init(name: "main", cpus: a)]),
            .init(namespace: "hpc", name: "solver-1", containers: [.init(name: "main", cpus: b), .init(name: "sidecar")]),
            .init(namespace: "default", name: "web", containers: [.init(name: "nginx")]),
        ]))
        let busy = try nrt(sandbox, server.socket)
        #expect(busy.view.availableCPUs == [0: 0, 1: 12 - 6])
        #expect(busy.view.availableMemory == idle.view.availableMemory, "these pods pin no memory")
        let fingerprint = busy.object["attributes"]?.arrayValue?.first { $0["name"]?.stringValue == "nodeTopologyPodsFingerprint" }
        let expected = PodFingerprint(pods: [(namespace: "hpc", name: "solver-0"), (namespace: "hpc", name: "solver-1")]).sign
        #expect(fingerprint?["value"]?.stringValue == expected)
        #expect(server.calls.filter { $0 == "List" }.count == 2)

        guard UpstreamNRTSchema.isAvailable else { try Test.cancel("\(UpstreamNRTSchema.skipped)") }
        #expect(try UpstreamNRTSchema.problems([("idle", idle.text), ("busy", busy.text)]) == [])
    }

    @Test func aKubeletThatDoesNotAnswerPublishesNothing() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let r = try sandbox.sosplan([
            "observe", "--format", "nrt", "--node-name", "w", "--pod-resources", sandbox.directory.appendingPathComponent("none.sock").path,
        ])
        #expect(r.status == 1 && r.stdout.isEmpty)
        #expect(r.stderr.contains("cannot read the kubelet's pod-resources API") && r.stderr.contains("hint:"), "\(r.stderr)")
    }
}
