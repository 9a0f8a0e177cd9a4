import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// `reconcile --watch` when a device a service is placed near goes away and
/// comes back (PCI remove, then a rescan that finds it in a slot of the
/// other socket): the sandbox's sysfs changes as the kernel's would, and
/// the kernel's uevent (drivers/pci/pci-driver.c, pci_uevent: PCI_CLASS,
/// PCI_ID, PCI_SLOT_NAME) reaches the watcher on its socket. While the
/// device is gone the service keeps its CPUs; back on node 1, it follows.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct DeviceHotplugSandboxTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: vector}
        spec:
          policy: {topology: restricted, smt: whole-cores}
          host: {cpus: 2}
          services:
            - name: vector
              exec: ["/bin/sleep", "infinity"]
              cpus: 4
              near: ve0
            - name: other
              exec: ["/bin/sleep", "infinity"]
              cpus: 4
        """

    /// The sandbox's machine (32intel64-2p8co2t+8ve): ve0 below the root of socket 0.
    static let old = "0000:1b:00.0"
    static let oldPath = "sys/devices/pci0000:17/0000:17:00.0/0000:18:00.0/0000:19:08.0/0000:1b:00.0"
    /// Where the rescan finds it: a root bus of socket 1.
    static let new = "0000:d7:00.0"
    static let newPath = "sys/devices/pci0000:d7/0000:d7:00.0"

    /// What the kernel sends for the function (class 0x0b4000, NEC's vector
    /// engine), without a SEQNUM: the simulated kernel numbers its own
    /// events, and a gap would read as lost events (a resync pass).
    static func uevent(_ action: String, _ address: String, _ devpath: String) -> Uevent {
        Uevent(
            action: action, devpath: "/" + devpath.dropFirst("sys/".count), subsystem: "pci", seqnum: nil,
            properties: ["PCI_CLASS": "B4000", "PCI_ID": "1BCF:001C", "PCI_SUBSYS_ID": "1BCF:0000", "PCI_SLOT_NAME": address])
    }

    @Test func aServiceFollowsItsDeviceAcrossRemoveAndRescan() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let fm = FileManager.default
        let root = sandbox.root
        let node0 = try #require(try sandbox.snapshot().topology.node(0)).cpus
        let node1 = try #require(try sandbox.snapshot().topology.node(1)).cpus
        #expect(try sandbox.snapshot().topology.device(.name("ve0"))?.node == 0)

        let layout = sandbox.directory.appendingPathComponent("vector.yaml")
        try Self.layout.write(to: layout, atomically: true, encoding: .utf8)
        let watcher = try BackgroundSosplan(
            ["reconcile", "--watch", "--verbose", layout.path], environment: sandbox.environment,
            log: sandbox.directory.appendingPathComponent("watch.log"))
        defer { watcher.stop() }
        try #require(watcher.waitForLog(timeout: 60) { $0.contains("reconcile (first-apply): converged") }, "\(watcher.log)")
        let first = try sandbox.allowedCPUs("sosplan-vector.slice")
        #expect(first.count == 4 && first.isSubset(of: node0), "near ve0 on node 0: \(first)")
        let other = try sandbox.allowedCPUs("sosplan-other.slice")
        let socket = try #require(sandbox.environment["SOSPLAN_UEVENT_SOCKET"])

        // PCI remove: the function's sysfs goes, the kernel says so.
        try fm.removeItem(at: root.appendingPathComponent("sys/class/ve/ve0"))
        try fm.removeItem(at: root.appendingPathComponent("sys/bus/pci/devices/\(Self.old)"))
        try fm.removeItem(at: root.appendingPathComponent(Self.oldPath))
        #expect(UeventSocket.send(Self.uevent("remove", Self.old, Self.oldPath), to: socket))
        func after(_ marker: String, _ log: String) -> String { log.components(separatedBy: marker).dropFirst().joined() }
        #expect(watcher.waitForLog(timeout: 15) { after("PCI device \(Self.old) remove", $0).contains("reconcile (hotplug): no-changes") },
                "\(watcher.log)")
        #expect(after("PCI device \(Self.old) remove", watcher.log).contains("device 've0' is not on this host now"), "\(watcher.log)")
        #expect(try sandbox.allowedCPUs("sosplan-vector.slice") == first, "it keeps its CPUs while the device is gone")

        // Rescan: it comes back in a slot of socket 1 (node 1), still named ve0.
        let dir = root.appendingPathComponent(Self.newPath)
        try fm.createDirectory(at: dir.appendingPathComponent("ve/ve0"), withIntermediateDirectories: true)
        let files = ["class": "0x0b4000", "vendor": "0x1bcf", "device": "0x001c", "numa_node": "1",
                     "local_cpus": "0000,00000000,00000000,ff00ff00", "local_cpulist": "\(node1)"]
        for (name, text) in files { try (text + "\n").write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8) }
        try fm.createSymbolicLink(
            atPath: root.appendingPathComponent("sys/bus/pci/devices/\(Self.new)").path, withDestinationPath: "../../../devices/pci0000:d7/\(Self.new)")
        try fm.createSymbolicLink(
            atPath: root.appendingPathComponent("sys/class/ve/ve0").path, withDestinationPath: "../../devices/pci0000:d7/\(Self.new)/ve/ve0")
        #expect(try sandbox.snapshot().topology.device(.name("ve0"))?.node == 1)
        #expect(UeventSocket.send(Self.uevent("add", Self.new, Self.newPath), to: socket))
        #expect(watcher.waitForLog(timeout: 15) { after("PCI device \(Self.new) add", $0).contains("reconcile (hotplug): converged") }, "\(watcher.log)")
        let back = try sandbox.allowedCPUs("sosplan-vector.slice")
        #expect(back.count == 4 && back.isSubset(of: node1), "follows ve0 to node 1: \(back)")
        #expect(try sandbox.allowedCPUs("sosplan-other.slice") == other, "nobody else moves")
        #expect(watcher.stop() == 0, "\(watcher.log)")
    }
}
