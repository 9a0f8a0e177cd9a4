import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan status --format nrt` in a sandbox: before any apply the host
/// as observed, after the quickstart apply the host as the layout left it.
/// The quickstart gives the kubelet no slice of its own, so pods may have
/// what no owner holds: not the host's confined CPUs, the enclave's or the
/// exclusive services'. Checked against the placement and the snapshot, and
/// valid against the CRD's schema. (The kubelet's own slice and pods:
/// SosplanKubernetesTests.)
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct StatusNodeResourceTopologyTests {
    static let schema = "noderesourcetopology-v1alpha2.schema.json"

    func quantities(_ zone: JSONValue, _ name: String) -> [Int]? {
        guard let r = zone["resources"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else { return nil }
        return ["capacity", "allocatable", "available"].compactMap { r[$0]?.stringValue.flatMap { Int($0) } }
    }

    @Test func describesTheHostAsApplied() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let never = try sandbox.sosplan(["status", "--format", "nrt"])
        #expect(never.status == 2, "\(never.stderr)")
        let observed = try JSONParser.parse(never.stdout)
        #expect(observed["attributes"]?.arrayValue?.first?["value"]?.stringValue == "none")
        #expect(observed["topologyPolicies"] == nil)

        let apply = try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"])
        try #require(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let result = try sandbox.sosplan(["status", "--format", "nrt"])
        #expect(result.status == 0, "\(result.stderr)")
        let nrt = try JSONParser.parse(result.stdout)
        let snapshot = try HostSnapshot.decode(json: try sandbox.sosplan(["observe", "--format", "json"]).stdout)
        let placement = try #require(ApplyFixture.plan(sandbox, ApplyFixture.quickstart).plan).placement
        #expect(nrt["metadata"]?["name"]?.stringValue == snapshot.hostname?.lowercased())
        // The kubelet's Topology Manager settings (its defaults: no kubelet
        // here), never the layout's policy.topology (single-numa-node).
        #expect(nrt["attributes"]?.arrayValue?.compactMap { $0["value"]?.stringValue } == ["none", "container"])
        #expect(nrt["topologyPolicies"] == nil)

        let lwk = try #require(placement.enclave("lwk0"))
        let services = placement.services.filter { !$0.value.shared }.reduce(CPUSet()) { $0.union($1.value.cpus) }
        #expect(services.subtracting(lwk.cpus).count == 6, "slurmd and io-forward on Linux, solver inside lwk0")
        let zones = nrt["zones"]?.arrayValue ?? []
        try #require(zones.count == snapshot.topology.nodes.count)
        for (zone, node) in zip(zones, snapshot.topology.nodes) {
            let online = CPUSet(snapshot.topology.cpus.filter { $0.node == node.id && $0.online }.map(\.id))
            let pods = online.subtracting(placement.host.cpus).subtracting(lwk.cpus).subtracting(services)
            #expect(quantities(zone, "cpu") == [online.count, pods.count, pods.count], "\(node.id)")
            let pools = node.hugepages.map { Int($0.total) * Int($0.sizeBytes) }.reduce(0, +)
            let enclave = lwk.memory.filter { $0.node == node.id }.map { Int($0.bytes) }.reduce(0, +)
            let memory = Int(node.memoryBytes) - pools - enclave
            #expect(quantities(zone, "memory")?.first == Int(node.memoryBytes), "\(node.id)")
            #expect((quantities(zone, "memory")?[1] ?? .max) <= memory, "\(node.id)")
        }
        // The enclave's CPUs are on node 1 (offline: not even capacity), the host's and the services' on node 0.
        #expect(quantities(zones[1], "cpu")?.first == 8)
        #expect(quantities(zones[0], "cpu").map { $0[0] - $0[1] } == placement.host.cpus.count + 6)
        #expect(quantities(zones[0], "hugepages-2Mi")?.first == 512 << 21)

        let documents = [("never applied", never.stdout), ("applied", result.stdout)]
        let verdicts = try SchemaCheck.validate(documents, against: Self.schema)
        for (name, verdict) in verdicts { #expect(verdict.valid, "\(name): \(verdict.errors)") }
        guard UpstreamNRTSchema.isAvailable else { try Test.cancel("\(UpstreamNRTSchema.skipped)") }
        #expect(try UpstreamNRTSchema.problems(documents) == [])
    }
}
