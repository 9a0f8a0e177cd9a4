import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// Observing enclaves through `HostObserver`, and which drivers a host has.
@Suite struct EnclaveObserveTests {
    /// A minimal topology probe over a sysfs root (test-only): CPUs with their
    /// online state and node, nodes with their CPUs.
    struct SysfsTestProbe: TopologyProbe {
        var root: String

        func probeTopology() throws -> TopologyObservation {
            let hotplug = LinuxHotplug(root: root)
            let nodesOf = hotplug.cpuNodes()
            let cpus = hotplug.presentCPUs().map { CPUInfo(id: $0, online: hotplug.isCPUOnline($0), node: nodesOf[$0]) }
            let nodeIDs = Set(nodesOf.values).sorted()
            let nodes = nodeIDs.map { n in
                NUMANode(id: n, cpus: CPUSet(nodesOf.filter { $0.value == n }.map(\.key)), memoryBytes: 0, freeBytes: 0)
            }
            return TopologyObservation(topology: Topology(cpus: cpus, nodes: nodes), hostname: "sim")
        }
    }

    @Test func offlineCPUsAreAttributedToTheirEnclaves() throws {
        let host = try SimHost(cpus: 12, nodes: 2)
        _ = try host.ihk.create(EnclaveRequest(name: "mck", cpus: CPUSet(2...3), memory: [mib(256)], image: try host.image()))
        try host.ihk.reserveCPUs(CPUSet([4]))
        _ = try host.pisces.create(EnclaveRequest(name: "kit", cpus: CPUSet(6...7), memory: [mib(128, node: 1)], image: try host.kittenImage()))
        _ = try host.mos.create(EnclaveRequest(name: "lwk", cpus: CPUSet(9...10), memory: [mib(256, node: 1)]))
        // An unnamed Pisces enclave (made outside sosplan) and a stray offline CPU.
        let stray = try host.tool("pisces_load", try host.kittenImage(), (try host.kittenImage() as NSString).deletingLastPathComponent + "/lwk_init", "x")
        #expect(stray.exitStatus == 1)
        #expect(try host.tool("pisces_launch", "-c", "8", "-b", "1", "-m", "1", "-n", "0", "/dev/pisces-enclave1").succeeded)
        try host.write("/sys/devices/system/cpu/cpu11/online", "0\n")

        let observer = HostObserver(
            topology: SysfsTestProbe(root: host.root),
            enclaves: EnclaveDrivers.available(configuration: host.configuration, stateDirectory: host.state))
        let snapshot = try observer.observe()
        let owners = Dictionary(uniqueKeysWithValues: snapshot.topology.cpus.map { ($0.id, $0.owner ?? "-") })
        #expect(owners[2] == "enclave:mck" && owners[3] == "enclave:mck")
        #expect(owners[4] == "mckernel:pool")
        #expect(owners[6] == "enclave:kit" && owners[7] == "enclave:kit")
        #expect(owners[8] == "pisces:1")
        #expect(owners[9] == "enclave:lwk" && owners[10] == "enclave:lwk")
        #expect(owners[11] == "-")  // offline, nobody claims it: never assumed to be an enclave's
        #expect(owners[5] == "-" && owners[0] == "-")
        #expect(snapshot.enclaves.map(\.ownerLabel) == ["enclave:mck", "enclave:lwk", "enclave:kit", "pisces:1"])
        #expect(snapshot.enclavePools == [EnclavePool(driver: .mckernel, cpus: CPUSet([4]), memory: [])])
    }

    @Test func driversArePickedByWhatTheHostHas() throws {
        let host = try SimHost(drivers: "ihk,mos")
        let found = EnclaveDrivers.available(configuration: host.configuration, stateDirectory: host.state)
        #expect(found.map(\.driver) == [.mckernel, .mos])
        // No tools, no kernel interfaces: nothing, and no error.
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-empty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let none = EnclaveDrivers.probe(
            configuration: EnclaveToolConfiguration(toolsDirectory: empty, root: empty), stateDirectory: host.state)
        #expect(none.drivers.isEmpty && none.notes.isEmpty)
        // Tools present but the kernel side missing: not a driver, but a note.
        let halfway = EnclaveDrivers.probe(
            configuration: EnclaveToolConfiguration(toolsDirectory: host.tools, root: empty), stateDirectory: host.state)
        #expect(halfway.drivers.isEmpty)
        #expect(halfway.notes.contains { $0.contains("/dev/mcd0 is missing") })
    }

    @Test func theRegistryNamesOnlyWhatTheDriverStillSees() throws {
        let host = try SimHost()
        _ = try host.ihk.create(EnclaveRequest(name: "mck", cpus: CPUSet(2...3), memory: [mib(64)], image: try host.image()))
        // Someone destroyed OS 0 and made a new OS 0 with other CPUs behind sosplan's back.
        _ = try host.tool("ihkconfig", "0", "destroy", "0")
        _ = try host.tool("ihkconfig", "0", "create")
        _ = try host.tool("ihkosctl", "0", "assign", "cpu", "2")
        let o = try host.ihk.observeEnclaves()
        #expect(o.instances.map(\.name) == ["mck"])
        #expect(o.warnings.contains { $0.contains("CPUs changed outside sosplan") })
        // Not the OS sosplan booted (other CPUs), so not asked for a status it has not got.
        #expect(o.instances.map(\.state) == ["UNKNOWN"])
        #expect(o.warnings.contains { $0.contains("not the 2-3 sosplan booted it with") })
        #expect(try host.tool("ihkosctl", "0", "release", "cpu", "2").succeeded)
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "5").succeeded)
        #expect(try host.tool("ihkosctl", "0", "assign", "cpu", "5").succeeded)
        let moved = try host.ihk.observeEnclaves()
        #expect(moved.instances.map(\.name) == [nil])
        #expect(moved.warnings.contains { $0.contains("recorded CPUs 2-3 but mckernel:0 holds 5; not naming it") })
        try host.expectAccounted()
    }
}
