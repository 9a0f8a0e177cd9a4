import SosplanCore
import Testing

/// PCI remove and rescan as the kernel announces them (drivers/pci/pci-driver.c,
/// pci_uevent: PCI_CLASS=%04X of the 24-bit class, PCI_SLOT_NAME), read as
/// hotplug of the devices services are placed near; bridges and chipset
/// functions are not followed, and sosplan never causes such a change itself.
@Suite struct PCIUeventTests {
    static func message(_ action: String, _ devpath: String, _ extra: [String]) -> [UInt8] {
        (["\(action)@\(devpath)", "ACTION=\(action)", "DEVPATH=\(devpath)", "SUBSYSTEM=pci"] + extra + ["SEQNUM=4711"])
            .flatMap { Array($0.utf8) + [0] }
    }

    @Test func removeAndAddOfAListedDeviceAreHotplug() throws {
        let devpath = "/devices/pci0000:80/0000:80:02.2/0000:82:00.0"
        let props = ["PCI_CLASS=28000", "PCI_ID=15B3:1003", "PCI_SUBSYS_ID=15B3:0050", "PCI_SLOT_NAME=0000:82:00.0",
                     "MODALIAS=pci:v000015B3d00001003sv000015B3sd00000050bc02sc80i00"]
        let address = try #require(PCIAddress("0000:82:00.0"))
        let removed = try #require(Uevent.parse(Self.message("remove", devpath, props)))
        #expect(removed.hotplug == HotplugChange(device: .pciDevice(address), kind: .remove))
        #expect(removed.hotplug?.description == "PCI device 0000:82:00.0 remove")
        let added = try #require(Uevent.parse(Self.message("add", devpath, props)))
        #expect(added.hotplug == HotplugChange(device: .pciDevice(address), kind: .add))
        // Without the class (an old kernel), the function is followed.
        let bare = try #require(Uevent.parse(Self.message("add", devpath, ["PCI_SLOT_NAME=0000:82:00.0"])))
        #expect(bare.hotplug?.device == .pciDevice(address))
        // A 32-bit domain (VMD).
        let vmd = try #require(Uevent.parse(Self.message("add", "/devices/pci10000:00/10000:00:04.0", ["PCI_CLASS=10802"])))
        #expect(vmd.hotplug?.device == .pciDevice(try #require(PCIAddress("10000:00:04.0"))))
    }

    @Test func bridgesDriverBindsAndOtherSubsystemsAreNot() throws {
        let bridge = Self.message("add", "/devices/pci0000:80/0000:80:02.2", ["PCI_CLASS=60400", "PCI_SLOT_NAME=0000:80:02.2"])
        #expect(try #require(Uevent.parse(bridge)).hotplug == nil)
        let usb = Self.message("remove", "/devices/pci0000:00/0000:00:1a.0", ["PCI_CLASS=C0320", "PCI_SLOT_NAME=0000:00:1a.0"])
        #expect(try #require(Uevent.parse(usb)).hotplug == nil)
        let bind = Self.message("bind", "/devices/pci0000:80/0000:80:02.2/0000:82:00.0", ["PCI_CLASS=28000"])
        #expect(try #require(Uevent.parse(bind)).hotplug == nil)
        let net = Uevent(action: "add", devpath: "/devices/pci0000:80/0000:80:02.2/0000:82:00.0/net/ib0", subsystem: "net", seqnum: 1)
        #expect(net.hotplug == nil)
    }

    @Test func theKernelMessageRoundTripsAndIsNeverSelfCaused() throws {
        let change = HotplugChange(device: .pciDevice(try #require(PCIAddress("0000:3d:00.0"))), kind: .remove)
        let event = change.uevent(seqnum: 9)
        #expect(Uevent.parse(event.kernelMessage)?.hotplug == change)
        var expected = SelfCausedChanges()
        let consumed = expected.consume(change)
        #expect(!consumed)
    }
}
