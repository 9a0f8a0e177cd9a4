import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// A device that goes away and comes back (PCI remove and rescan, a NIC
/// moved to another slot) re-places the owners near it, as CPU hotplug
/// does: while it is gone the owner keeps its CPUs (a warning, not an
/// error: other changes still apply), and when it returns on another
/// node, the owner follows it.
@Suite struct DeviceHotplugPlanTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: fabric}
        spec:
          policy: {topology: restricted, smt: threads}
          host: {cpus: 1}
          services:
            - name: fabric
              exec: [/usr/sbin/fabric-agent]
              cpus: 4
              near: mlx4_0
            - name: batch
              exec: [/usr/bin/batch]
              cpus: 2
        """

    static func plan(_ snapshot: HostSnapshot) throws -> Planner.Result {
        let layout = try #require(LayoutDecoder.decode(Array(Self.layout.utf8), file: "fabric.yaml").layout)
        return Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
    }

    static func applied() throws -> HostSnapshot {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/32em64t-2n8c+1mic.json")
        let snapshot = try HostSnapshot.decode(json: String(contentsOf: url, encoding: .utf8))
        let first = try #require(try plan(snapshot).plan)
        #expect(first.placement.service("fabric")?.cpus.isSubset(of: CPUSet(8...15)) == true)
        return PlanSimulator(capabilities: EnclaveCapabilities.known).apply(first, to: snapshot)
    }

    @Test func aRemovedDeviceLeavesItsOwnerWhereItIs() throws {
        var snapshot = try Self.applied()
        let held = try #require(try Self.plan(snapshot).plan?.placement.service("fabric")?.cpus)
        snapshot.topology.devices?.removeAll { $0.names.contains { $0.name == "mlx4_0" } }
        snapshot.refreshFingerprint()
        let result = try Self.plan(snapshot)
        let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
        #expect(!plan.changes, "\(PlanFormatter.text(plan))")
        #expect(plan.placement.service("fabric")?.cpus == held)
        let warning = try #require(result.diagnostics.first { $0.severity == .warning })
        #expect(warning.message.contains("device 'mlx4_0' is not on this host now"))
        #expect(warning.mark?.line == 11, "at the near: line")
        #expect(!result.diagnostics.contains { $0.severity == .error })
    }

    @Test func aDeviceBackOnAnotherNodePullsItsOwnerThere() throws {
        var snapshot = try Self.applied()
        let i = try #require(snapshot.topology.devices?.firstIndex { $0.names.contains { $0.name == "mlx4_0" } })
        // Rescanned in a slot of socket 0.
        snapshot.topology.devices![i].address = try #require(PCIAddress("0000:04:00.0"))
        snapshot.topology.devices![i].node = 0
        snapshot.topology.devices![i].localCPUs = CPUSet(0...7)
        snapshot.topology.devices!.sort { $0.address < $1.address }
        snapshot.refreshFingerprint()
        let result = try Self.plan(snapshot)
        let plan = try #require(result.plan, "\(DiagnosticFormatter.text(result.diagnostics))")
        let fabric = try #require(plan.placement.service("fabric"))
        #expect(fabric.cpus.count == 4 && fabric.cpus.isSubset(of: CPUSet(0...7)), "\(fabric.cpus)")
        #expect(fabric.near?.first?.met == true && fabric.near?.first?.address.description == "0000:04:00.0")
        #expect(plan.steps.contains { $0.action == .sliceUpdate && $0.target == .unit("sosplan-fabric.slice") })
        // The other service is not moved for it.
        let before = try #require(try Self.plan(try Self.applied()).plan?.placement.service("batch"))
        #expect(plan.placement.service("batch")?.cpus == before.cpus)
    }
}
