import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Devices and memory tiers as `observe` and `show` print them: the
/// summary lists each PCI device with its class index, address, names and
/// node, and each node's memory tier; `show` draws devices (with the owners
/// placed near them) in text and SVG; HWLOC_PCI_LOCALITY forces localities
/// as it does for hwloc, with a warning.
@Suite struct DeviceOutputTests {
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"),
          arguments: ["32em64t-2n8c+1mic", "fakeheteromemtiers"])
    func observeSummaryListsDevicesAndTiers(_ name: String) throws {
        let root = try TopologyFixtures.load(name).root.path
        let result = try CommandRunner.sosplan(["observe", "--root", root, "--no-systemd"])
        #expect(result.status == 0, "\(result.stderr)")
        let outcome = Golden.check(result.stdout, against: ObserveCommandTests.golden("observe-\(name).txt"))
        #expect(outcome.isMatch, "\(outcome.message)")
        if name == "32em64t-2n8c+1mic" {
            #expect(result.stdout.contains("nic:2 0000:82:00.0 ib0, mlx4_0 · node 1"))
        } else {
            #expect(result.stdout.contains("node 4    CPUs none · 512 MiB, 512 MiB free · HBM · local to node 1"))
        }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func observeHonoursForcedPCILocalities() throws {
        let name = "40intel64-2g2n4c+pci"
        let root = try TopologyFixtures.load(name).root.path
        let forced = TopologyFixtures.lstopoEnvironment(of: name).filter { $0.key == "HWLOC_PCI_LOCALITY" }
        #expect(forced.count == 1)
        let plain = try HostSnapshot.decode(json: try CommandRunner.sosplan(["observe", "--root", root, "--no-systemd", "--format", "json"]).stdout)
        let run = try CommandRunner.sosplan(["observe", "--root", root, "--no-systemd", "--format", "json"], environment: forced)
        #expect(run.status == 0, "\(run.stderr)")
        let snapshot = try HostSnapshot.decode(json: run.stdout)
        let ib = try #require(snapshot.topology.device(.name("qib0")))
        // "0000:40-46 0x000000aa,0xaaaaaaaa": the odd CPUs, packages 1 and 3.
        #expect(ib.localCPUs == CPUSet(Array(stride(from: 1, through: 39, by: 2))))
        #expect(ib.node == nil, "two nodes: no single node")
        #expect(plain.topology.device(.name("qib0"))?.localCPUs == plain.topology.presentCPUs)
        #expect(snapshot.warnings.contains { $0.contains("forced by HWLOC_PCI_LOCALITY") })
        #expect(snapshot.fingerprint != plain.fingerprint)
    }

    @Test func showDrawsDevicesAndTheOwnersNearThem() throws {
        let scratch = try ScratchDirectory("show-devices")
        defer { scratch.remove() }
        let snapshot = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/32em64t-2n8c+1mic.json").path
        let layout = RepositoryPaths.examples.appendingPathComponent("near-devices.yaml").path
        let svgFile = scratch.path("near.svg")
        let result = try CommandRunner.sosplan(["show", layout, "--snapshot", snapshot, "--no-color", "--svg", svgFile.path])
        #expect(result.status == 0, "\(result.stderr)")
        let outcome = Golden.check(result.stdout, against: ObserveCommandTests.golden("show-near-devices-32em64t-2n8c+1mic.txt"))
        #expect(outcome.isMatch, "\(outcome.message)")
        #expect(result.stdout.contains("node 1  nic 0000:82:00.0 ib0, mlx4_0 · near service lustre-router"))

        let svg = SVGElements()
        let parser = XMLParser(data: try Data(contentsOf: svgFile))
        parser.delegate = svg
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        let devices = svg.elements.filter { $0["class"] == "device" }
        let saved = try HostSnapshot.decode(json: String(contentsOfFile: snapshot, encoding: .utf8))
        #expect(devices.map { $0["data-address"] ?? "" } == saved.topology.pciDevices.map(\.address.description))
        #expect(devices.first { $0["data-address"] == "0000:82:00.0" }?["data-node"] == "1")
    }

    @Test func showMarksMemoryTiers() throws {
        let snapshot = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/fakeheteromemtiers.json").path
        let result = try CommandRunner.sosplan(["show", "--snapshot", snapshot, "--no-color"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("node 4  HBM 512 MiB, 512 MiB free"))
        #expect(result.stdout.contains("node 6  NVM 384 MiB"))
        #expect(result.stdout.contains("node 0  DRAM "))
    }
}
