import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// hwloc's `lstopo` is the oracle for devices and memory tiers too: on every
/// machine, the probe lists the PCI functions lstopo shows with its default
/// I/O filter (bridges aside), each attached to the same CPUs, known by at
/// least the OS device names lstopo gives it, on the one NUMA node lstopo's
/// attachment lies on; and names each NUMA node's memory as lstopo does
/// (NUMANode(DRAM), (HBM), (NVM), (GPUMemory), or nothing). Checked against
/// - the package's `.output` of hwloc 2.9.0 (text, or XML printed with
///   `--whole-io` for 40intel64-2g2n4c+pci and 32em64t-2n8c+1mic), with the
///   PCI localities the test suite forces (`NAME.env`: HWLOC_PCI_LOCALITY);
/// - the later `.console` files of the shared folder;
/// - the installed `lstopo-no-graphics` on the same snapshot, with and
///   without the forced localities, and with NVIDIA GPU memory nodes kept.
@Suite struct DeviceLstopoAgreementTests {
    static let xmlNames = TopologyFixtures.hwlocNames.filter { TopologyFixtures.xmlOutput(of: $0) != nil }
    static let textNames = TopologyFixtures.hwlocNames.filter { TopologyFixtures.console(of: $0).text != nil }
    static let laterConsoleNames = TopologyFixtures.laterNames.filter { TopologyFixtures.console(of: $0).text != nil }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func theMachinesWithDevicesAndTiersAreAmongThoseCompared() throws {
        // The machines the issue names: PCI devices (local and forced), DAX memory, GPU memory, HMAT tiers.
        #expect(Self.xmlNames.sorted() == ["32em64t-2n8c+1mic", "40intel64-2g2n4c+pci", "fakeheterocpunuma"])
        for name in ["40intel64-4n10c+pci-conflicts", "fakeheteromemtiers", "nvidiagpunumanodes", "2pa-pcidomain32bits"] {
            #expect(Self.textNames.contains(name), "\(name)")
        }
        // Machines with devices or tiers: the comparison would pass vacuously without them.
        let hetero = try Self.probe("fakeheteromemtiers", forced: [:]).topology
        #expect(hetero.nodes.compactMap(\.memoryTier).count == 7)
        let pci = try Self.probe("40intel64-2g2n4c+pci", forced: [:]).topology
        #expect(pci.pciDevices.count == 8)
    }

    /// Machines the shared folder holds under the names hwloc gave them
    /// after 2.9.0 (the issue names `32em64t-2n8c+dax+nvme+mic+dimms`), and
    /// the package's name for the same archive.
    static let renamedInSharedFolder = [
        "32em64t-2n8c+dax+nvme+mic+dimms": "32em64t-2n8c+1mic",
        "40intel64-2g2n4c+pcilocality": "40intel64-2g2n4c+pci",
        "48amd64-4pa2n6c-sparse": "48amd64-4d2n6c-sparse",
        "8em64t-2s4c-asymcaches": "8em64t-2s4c-heterogeneous",
        "96em64t-4no4pa3ca2co": "96em64t-4n4d3ca2co",
    ]

    /// Every machine of the shared folder is compared here: one of
    /// `laterNames`, or byte for byte an archive of the package (under its
    /// own name or its later one), which the package's tests compare.
    @Test(.enabled(if: TopologyFixtures.isAvailable && TopologyFixtures.laterAvailable,
                   "\(TopologyFixtures.unavailableReason ?? TopologyFixtures.laterUnavailableReason ?? "")"))
    func everyMachineOfTheSharedFolderIsCompared() throws {
        let folder = TopologyFixtures.sharedFolder
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".tar.bz2") }.map { String($0.dropLast(".tar.bz2".count)) }
        #expect(names.count > TopologyFixtures.laterNames.count)
        for later in Self.renamedInSharedFolder.keys { #expect(names.contains(later), "\(later) in \(folder.path)") }
        for name in names where !TopologyFixtures.laterNames.contains(name) {
            let packageName = Self.renamedInSharedFolder[name] ?? name
            let package = try #require(TopologyFixtures.archive(packageName), "\(name): no package machine \(packageName)")
            let shared = try Data(contentsOf: folder.appendingPathComponent(name + ".tar.bz2"))
            #expect(shared == (try Data(contentsOf: package)), "\(name) is the package's \(packageName)")
        }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"), arguments: textNames)
    func devicesAndTiersAgreeWithHwlocOutput(_ name: String) throws {
        let fixture = try TopologyFixtures.load(name)
        try Self.compare(name, LstopoDevices(console: LstopoConsole(try #require(fixture.console))),
                         forced: TopologyFixtures.lstopoEnvironment(of: name))
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"), arguments: xmlNames)
    func devicesAndTiersAgreeWithHwlocXMLOutput(_ name: String) throws {
        // Printed with --whole-io (every I/O object) or the default filter: compared on the listed classes.
        let xml = try #require(TopologyFixtures.xmlOutput(of: name))
        try Self.compare(name, LstopoDevices(xml: LstopoXML(xml.text)), forced: TopologyFixtures.lstopoEnvironment(of: name))
    }

    @Test(.enabled(if: TopologyFixtures.laterAvailable, "\(TopologyFixtures.laterUnavailableReason ?? "")"), arguments: laterConsoleNames)
    func devicesAndTiersAgreeWithLaterConsole(_ name: String) throws {
        let fixture = try TopologyFixtures.load(name)
        try Self.compare(name, LstopoDevices(console: LstopoConsole(try #require(fixture.console))), forced: [:])
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"),
          .enabled(if: Lstopo.isAvailable, "\(Lstopo.unavailableReason ?? "")"), arguments: TopologyFixtures.hwlocNames)
    func devicesAndTiersAgreeWithInstalledLstopo(_ name: String) throws {
        try Self.compareWithInstalledLstopo(name, forced: TopologyFixtures.lstopoEnvironment(of: name))
    }

    @Test(.enabled(if: TopologyFixtures.laterAvailable, "\(TopologyFixtures.laterUnavailableReason ?? "")"),
          .enabled(if: Lstopo.isAvailable, "\(Lstopo.unavailableReason ?? "")"), arguments: TopologyFixtures.laterNames)
    func devicesAndTiersAgreeWithInstalledLstopoOnLaterMachines(_ name: String) throws {
        try Self.compareWithInstalledLstopo(name, forced: TopologyFixtures.laterLstopoEnvironment(of: name))
    }

    /// Forced localities change what both see; sysfs's own must agree as well.
    @Test(.enabled(if: TopologyFixtures.isAvailable && TopologyFixtures.laterAvailable, "\(TopologyFixtures.unavailableReason ?? TopologyFixtures.laterUnavailableReason ?? "")"),
          .enabled(if: Lstopo.isAvailable, "\(Lstopo.unavailableReason ?? "")"),
          arguments: ["40intel64-2g2n4c+pci", "fakepcilocalities"])
    func devicesAgreeWithInstalledLstopoWithoutForcedLocalities(_ name: String) throws {
        let forced = TopologyFixtures.lstopoEnvironment(of: name).merging(TopologyFixtures.laterLstopoEnvironment(of: name)) { $1 }
        #expect(forced["HWLOC_PCI_LOCALITY"] != nil)
        let sysfs = try Self.probe(name, forced: [:]).topology.pciDevices.map(\.localCPUs)
        let overridden = try Self.probe(name, forced: forced).topology.pciDevices.map(\.localCPUs)
        #expect(sysfs != overridden, "the forced localities change some device's CPUs")
        try Self.compareWithInstalledLstopo(name, forced: [:])
    }

    /// hwloc hides NVIDIA GPU memory nodes unless told to keep them; kept,
    /// they are NUMANode(GPUMemory), as the probe names them.
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"),
          .enabled(if: Lstopo.isAvailable, "\(Lstopo.unavailableReason ?? "")"))
    func gpuMemoryNodesAgreeWithLstopoKeepingThem() throws {
        let fixture = try TopologyFixtures.load("nvidiagpunumanodes")
        let text = try Lstopo.console(root: fixture.root, variables: ["HWLOC_KEEP_NVIDIA_GPU_NUMA_NODES": "1"])
        let lstopo = LstopoDevices(console: LstopoConsole(text))
        let topology = try Self.probe("nvidiagpunumanodes", forced: [:]).topology
        #expect(lstopo.nodeSubtypes.count == topology.nodes.count)
        for node in topology.nodes {
            #expect(lstopo.nodeSubtypes[node.id] == .some(node.memoryTier?.hwlocName), "node \(node.id)")
        }
        #expect(topology.nodes.filter { $0.memoryTier == .gpu }.map(\.id) == Array(250...255))
    }

    static func compareWithInstalledLstopo(_ name: String, forced: [String: String]) throws {
        let fixture = try TopologyFixtures.load(name)
        let variables = TopologyFixtures.lstopoEnvironment(of: name).filter { $0.key != PCILocalityOverride.variable }.merging(forced) { $1 }
        let text = try Lstopo.console(root: fixture.root, variables: variables)
        try compare(name, LstopoDevices(console: LstopoConsole(text)), forced: forced, sixteenBitDomains: true)
    }

    static func probe(_ name: String, forced: [String: String]) throws -> TopologyObservation {
        var probe = SysfsTopologyProbe(root: try TopologyFixtures.load(name).root.path)
        probe.pciLocality = PCILocalityOverride.fromEnvironment(forced)
        return try probe.probeTopology()
    }

    /// The probe with the localities `forced` (the environment lstopo ran
    /// with) against what lstopo printed.
    ///
    /// - Parameter sixteenBitDomains: lstopo was built without 32-bit PCI
    ///   domains (Debian's is) and ignores functions in wider domains
    ///   (hwloc/topology-linux.c:6872-6881 of 2.9.0); the package's output
    ///   was printed by a build with them.
    static func compare(_ name: String, _ lstopo: LstopoDevices, forced: [String: String], sixteenBitDomains: Bool = false) throws {
        let observation = try probe(name, forced: forced)
        var t = observation.topology
        if sixteenBitDomains { t.devices = t.devices?.filter { $0.address.domain <= 0xffff } }
        let visible = t.onlineCPUs.intersection(observation.allowedCPUs ?? t.presentCPUs)

        // The same functions: lstopo's of the listed classes (its filter also keeps some bridges).
        let listed = lstopo.devices.filter { DeviceClass(classCode: UInt32($0.classID) << 8) != nil }
        #expect(Set(listed.map(\.address)) == Set(t.pciDevices.map(\.address.description)), "PCI devices")
        for device in t.pciDevices {
            guard let l = listed.first(where: { $0.address == device.address.description }) else { continue }
            let theirs = l.localPUs.intersection(visible)
            #expect(device.localCPUs.intersection(visible) == theirs, "\(device.address): local CPUs")
            #expect(Set(l.names).isSubset(of: Set(device.names.map(\.name))), "\(device.address): names \(l.names) vs \(device.names)")
            // One node under lstopo's attachment: that is the device's node.
            let nodes = t.nodes.filter { !$0.cpus.intersection(visible).isEmpty && !$0.cpus.isDisjoint(with: theirs) }
            if nodes.count == 1, t.nodes.filter({ !$0.cpus.isEmpty }).count > 1 {
                #expect(device.node == nodes[0].id, "\(device.address): NUMA node")
            } else if let n = device.node {
                // Attached above several nodes: a numa_node the kernel gives must be one of them.
                #expect(nodes.contains { $0.id == n }, "\(device.address): node \(n) under lstopo's attachment")
            }
        }

        // Memory tiers: each node lstopo shows, named alike.
        for node in t.nodes {
            guard let subtype = lstopo.nodeSubtypes[node.id] else { continue }
            #expect(node.memoryTier?.hwlocName == subtype, "node \(node.id): \(node.memoryTier.map(\.rawValue) ?? "unnamed") vs \(subtype ?? "unnamed")")
        }
    }
}
