import Foundation
import SosplanTestSupport
import Testing
@testable import SosplanCore

/// The NodeResourceTopology of a converged node: the layout confines
/// `kubepods.slice` to CPUs of node 1, the kubelet's configuration says its
/// Topology Manager policy and reserves every CPU outside the slice, and the
/// kubelet's pod-resources API reports what pods hold. Each object is read
/// back the way the scheduler plugin reads it (`SchedulerPluginView`, from
/// the JSON alone) and compared with the host and the pods, and checked
/// against the upstream CRD's schema.
@Suite struct NodeResourceTopologyKubeletTests {
    static let layoutText = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: converged}
        spec:
          host: {cpus: 2, confine: true}
          hugepages:
            - {size: 2Mi, count: 512, numa: 1}
          services:
            - {name: slurmd, units: [slurmd.service], cpus: {count: 4, numa: 0}, memory: {min: 2Gi}}
            - {name: pods, existingSlice: kubepods.slice, cpus: {count: 12, numa: 1}}
        """

    struct Converged {
        var snapshot: HostSnapshot
        var applied: NodeResourceTopologyBuilder.Applied
        var slice: CPUSet
    }

    /// The layout planned and carried out (in simulation) on a 2-node, 32-CPU
    /// host, with a kubelet configuration in the snapshot.
    static func converged(_ config: KubeletConfiguration? = nil) throws -> Converged {
        let before = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2, memoryPerNode: 32 << 30)
        let decoded = LayoutDecoder.decode(layoutText, file: "converged.yaml")
        let layout = try #require(decoded.layout, "\(decoded.diagnostics)")
        let result = Planner(layout: layout, snapshot: before, capabilities: EnclaveCapabilities.known).plan()
        let plan = try #require(result.plan, "\(result.diagnostics)")
        var after = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(plan, to: before)
        let slice = try #require(plan.placement.service("pods")?.cpus)
        let reserved = after.topology.onlineCPUs.subtracting(slice)
        after.kubelet = KubeletObservation(
            configFile: "/var/lib/kubelet/config.yaml",
            configuration: config ?? KubeletConfiguration(
                cpuManagerPolicy: "static", topologyManagerPolicy: .singleNUMANode, topologyManagerScope: .pod,
                reservedSystemCPUs: reserved, strictCPUReservation: true))
        return Converged(snapshot: after, applied: .init(layout: layout, placement: plan.placement), slice: slice)
    }

    /// What the kubelet's GetAllocatableResources says for this configuration.
    static func allocatable(_ host: Converged) -> KubeletPodResources.Allocatable {
        let reserved = host.snapshot.kubelet?.configuration?.reservedSystemCPUs ?? CPUSet()
        return .init(cpus: host.snapshot.topology.onlineCPUs.subtracting(reserved))
    }

    func build(_ host: Converged, pods: KubeletPodResources?) -> (NodeResourceTopology, SchedulerPluginView) {
        let nrt = NodeResourceTopologyBuilder(snapshot: host.snapshot, applied: host.applied, podResources: pods).build(name: "worker-1")
        // swiftlint:disable:next force_try
        let view = try! SchedulerPluginView(nrt.jsonValue())
        return (nrt, view)
    }

    func slicePerNode(_ host: Converged) -> [Int: UInt64] {
        var out: [Int: UInt64] = [:]
        for node in host.snapshot.topology.nodes { out[node.id] = UInt64(host.slice.intersection(node.cpus).count) }
        return out
    }

    @Test func withoutPodsAllocatableIsTheKubeletSliceOnEachNode() throws {
        let host = try Self.converged()
        let (nrt, view) = build(host, pods: KubeletPodResources(allocatable: Self.allocatable(host), pods: []))
        #expect(host.slice.count == 12 && host.slice.allSatisfy { host.snapshot.topology.cpu($0)?.node == 1 })
        for zone in nrt.zones {
            let node = try #require(zone.numaID)
            #expect(zone.resource("cpu")?.allocatable == "\(slicePerNode(host)[node] ?? 99)", "\(zone.name)")
        }
        #expect(view.availableCPUs == slicePerNode(host))
        #expect(view.policy == "single-numa-node" && view.scope == "pod")
        // The slice's memory is node 1's: none of node 0's is the pods'.
        #expect(view.availableMemory[0] == 0)
        let node1 = try #require(host.snapshot.topology.nodes.first { $0.id == 1 })
        let pool = node1.hugepages.map { UInt64($0.total) * $0.sizeBytes }.reduce(0, +)
        #expect(pool == 512 << 21)
        #expect(view.availableMemory[1] == node1.memoryBytes - pool)
        #expect(view.numaNodes[1]?["hugepages-2Mi"] == pool)
        #expect(nrt.attribute(PodFingerprint.attribute) == PodFingerprint().sign)
        #expect(nrt.attribute(PodFingerprint.methodAttribute) == "with-exclusive-resources")
    }

    @Test func twoPodsWithExclusiveCPUsOnOneNodeTakeExactlyThoseFromAvailable() throws {
        let host = try Self.converged()
        let slice = host.slice.sorted
        let a = CPUSet(slice.prefix(2)), b = CPUSet(slice.dropFirst(2).prefix(4))
        let pods = KubeletPodResources(
            allocatable: Self.allocatable(host),
            pods: [
                .init(namespace: "hpc", name: "solver-0", containers: [.init(name: "main", cpus: a)]),
                .init(namespace: "hpc", name: "solver-1", containers: [
                    .init(name: "main", cpus: b, memory: [.init(type: "memory", bytes: 1 << 30, nodes: [1])]),
                    .init(name: "sidecar"),
                ]),
                // Shared-pool pods hold nothing and are not in the fingerprint.
                .init(namespace: "default", name: "web-7d9", containers: [.init(name: "nginx")]),
            ])
        let (nrt, view) = build(host, pods: pods)
        let (_, none) = build(host, pods: KubeletPodResources(allocatable: Self.allocatable(host), pods: []))
        #expect(view.availableCPUs[1] == none.availableCPUs[1]! - 6)
        #expect(view.availableCPUs[0] == none.availableCPUs[0])
        #expect(view.availableMemory[1] == none.availableMemory[1]! - (1 << 30))
        let zone1 = try #require(nrt.zones.first { $0.numaID == 1 }?.resource("cpu"))
        #expect(zone1.allocatable == "12" && zone1.available == "6")
        let expected = PodFingerprint(pods: [(namespace: "hpc", name: "solver-0"), (namespace: "hpc", name: "solver-1")])
        #expect(nrt.attribute(PodFingerprint.attribute) == expected.sign)
    }

    @Test func reservedCPUsInsideTheSliceAreNotAllocatable() throws {
        var host = try Self.converged()
        // The operator left two of the slice's CPUs in reservedSystemCPUs.
        let kept = CPUSet(host.slice.sorted.prefix(2))
        var config = try #require(host.snapshot.kubelet?.configuration)
        config.reservedSystemCPUs = config.reservedSystemCPUs?.union(kept)
        host.snapshot.kubelet?.configuration = config
        let (_, fromConfig) = build(host, pods: nil)
        #expect(fromConfig.availableCPUs[1] == 10)
        // The kubelet's own answer wins over its configuration file.
        let (_, fromKubelet) = build(host, pods: KubeletPodResources(allocatable: .init(cpus: host.slice), pods: []))
        #expect(fromKubelet.availableCPUs[1] == 12)
    }

    @Test func theMemoryManagersPinnableMemoryBoundsAllocatable() throws {
        let host = try Self.converged()
        let pods = KubeletPodResources(
            allocatable: .init(
                cpus: Self.allocatable(host).cpus,
                memory: [.init(type: "memory", bytes: 8 << 30, nodes: [1]), .init(type: "hugepages-2Mi", bytes: 256 << 21, nodes: [1])]),
            pods: [.init(namespace: "hpc", name: "p", containers: [
                .init(name: "c", cpus: CPUSet([host.slice.first!]), memory: [.init(type: "hugepages-2Mi", bytes: 64 << 21, nodes: [1])]),
            ])])
        let (nrt, view) = build(host, pods: pods)
        let zone1 = try #require(nrt.zones.first { $0.numaID == 1 })
        #expect(zone1.resource("memory")?.allocatable == "\(UInt64(8) << 30)")
        #expect(zone1.resource("hugepages-2Mi")?.allocatable == "\(UInt64(256) << 21)")
        #expect(view.numaNodes[1]?["hugepages-2Mi"] == (256 - 64) << 21)
    }

    @Test func policyAndScopeAreTheKubeletsNotTheLayouts() throws {
        for policy in KubeletConfiguration.TopologyManagerPolicy.allCases {
            for scope in KubeletConfiguration.TopologyManagerScope.allCases {
                let host = try Self.converged(KubeletConfiguration(topologyManagerPolicy: policy, topologyManagerScope: scope))
                let (nrt, view) = build(host, pods: nil)
                #expect(view.policy == policy.rawValue && view.scope == scope.rawValue)
                #expect(nrt.attribute(PodFingerprint.attribute) == nil, "no pods read: no fingerprint")
            }
        }
    }

    /// Sparse kernel ids become dense zone ids in their order; the pods'
    /// NUMA ids (kernel ids) land in the right zone.
    @Test func sparseNUMAIdsAreNumberedDenselyInOrder() throws {
        var snapshot = SyntheticHost.snapshot(packages: 3, coresPerNode: 2, memoryPerNode: 8 << 30)
        let kernelIDs = [0, 4, 9]
        for i in snapshot.topology.nodes.indices { snapshot.topology.nodes[i].id = kernelIDs[i] }
        for i in snapshot.topology.cpus.indices { snapshot.topology.cpus[i].node = snapshot.topology.cpus[i].node.map { kernelIDs[$0] } }
        let cpuOn9 = try #require(snapshot.topology.cpus.first { $0.node == 9 }?.id)
        let pods = KubeletPodResources(
            allocatable: .init(cpus: snapshot.topology.onlineCPUs),
            pods: [.init(namespace: "a", name: "b", containers: [
                .init(name: "c", cpus: CPUSet([cpuOn9]), memory: [.init(type: "memory", bytes: 1 << 30, nodes: [9])]),
            ])])
        let nrt = NodeResourceTopologyBuilder(snapshot: snapshot, podResources: pods).build(name: "sparse")
        #expect(nrt.zones.map(\.name) == ["node-0", "node-1", "node-2"])
        #expect(nrt.zones[2].costs.map(\.name) == ["node-0", "node-1", "node-2"])
        let view = try SchedulerPluginView(nrt.jsonValue())
        #expect(view.skippedZones.isEmpty)
        #expect(view.availableCPUs == [0: 2, 1: 2, 2: 1])
        #expect(view.availableMemory == [0: 8 << 30, 1: 8 << 30, 2: 7 << 30])
    }

    @Test func theObjectHasNoDeprecatedPolicyList() throws {
        let host = try Self.converged()
        let json = build(host, pods: nil).0.jsonValue()
        #expect(json["topologyPolicies"] == nil)
        #expect(json["attributes"]?.arrayValue?.count == 2)
    }

    @Test(.enabled(if: UpstreamNRTSchema.isAvailable, "\(UpstreamNRTSchema.skipped)"))
    func everyObjectValidatesAgainstTheUpstreamCRD() throws {
        let host = try Self.converged()
        let slice = host.slice.sorted
        var documents: [(name: String, text: String)] = []
        documents.append(("no pods read", build(host, pods: nil).0.jsonText()))
        documents.append(("no pods", build(host, pods: .init(allocatable: Self.allocatable(host), pods: [])).0.jsonText()))
        let pods = KubeletPodResources(allocatable: Self.allocatable(host), pods: [
            .init(namespace: "hpc", name: "s", containers: [.init(name: "m", cpus: CPUSet(slice.prefix(3)))]),
        ])
        documents.append(("pods", build(host, pods: pods).0.jsonText()))
        #expect(try UpstreamNRTSchema.problems(documents) == [])
        // The schema does reject: a quantity that is no quantity.
        let broken = build(host, pods: nil).0.jsonValue().setting(["zones", 0, "resources", 0, "available"], to: .string("six"))
        let rejected = try UpstreamNRTSchema.validate([("broken", JSONWriter.pretty(broken))])
        #expect(rejected["broken"]?.valid == false)
    }
}
