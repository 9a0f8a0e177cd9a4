/// A kernel uevent as broadcast on `NETLINK_KOBJECT_UEVENT` (group 1):
/// `ACTION@DEVPATH\0KEY=VALUE\0...` with ACTION, DEVPATH, SUBSYSTEM and
/// SEQNUM among the keys (lib/kobject_uevent.c). udevd's re-broadcast
/// (group 2) starts with a `libudev` header instead and is not read here.
public struct Uevent: Sendable, Hashable {
    public var action: String
    public var devpath: String
    public var subsystem: String?
    public var seqnum: UInt64?
    public var properties: [String: String]

    public init(action: String, devpath: String, subsystem: String?, seqnum: UInt64?, properties: [String: String] = [:]) {
        self.action = action
        self.devpath = devpath
        self.subsystem = subsystem
        self.seqnum = seqnum
        self.properties = properties
    }

    /// Parses one datagram; nil for anything that is not a kernel uevent
    /// (udevd's `libudev` messages, truncated or garbled bytes).
    public static func parse<C: Collection>(_ bytes: C) -> Uevent? where C.Element == UInt8 {
        let fields = bytes.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        guard let header = fields.first, !header.hasPrefix("libudev"), let at = header.firstIndex(of: "@") else { return nil }
        var properties: [String: String] = [:]
        for field in fields.dropFirst() {
            guard let eq = field.firstIndex(of: "=") else { continue }
            properties[String(field[..<eq])] = String(field[field.index(after: eq)...])
        }
        let action = properties["ACTION"] ?? String(header[..<at])
        let devpath = properties["DEVPATH"] ?? String(header[header.index(after: at)...])
        guard !action.isEmpty, devpath.hasPrefix("/") else { return nil }
        return Uevent(
            action: action, devpath: devpath, subsystem: properties["SUBSYSTEM"],
            seqnum: properties["SEQNUM"].flatMap { UInt64($0) }, properties: properties)
    }

    /// The datagram the kernel would send for this event (the simulators
    /// speak the same format as the kernel, so the watcher reads both alike).
    public var kernelMessage: [UInt8] {
        var fields = ["\(action)@\(devpath)", "ACTION=\(action)", "DEVPATH=\(devpath)"]
        if let subsystem { fields.append("SUBSYSTEM=\(subsystem)") }
        for (k, v) in properties.sorted(by: { $0.key < $1.key }) where !["ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM"].contains(k) {
            fields.append("\(k)=\(v)")
        }
        if let seqnum { fields.append("SEQNUM=\(seqnum)") }
        return fields.flatMap { Array($0.utf8) + [0] }
    }

    /// What the event means for placement: a CPU or a memory block changed
    /// state, a PCI device of a listed class (`DeviceClass`) went away or
    /// came back (PCI remove or rescan, a hot-plug slot), or something
    /// sosplan does not follow.
    public var hotplug: HotplugChange? {
        guard let kind = HotplugChange.Kind(rawValue: action) else { return nil }
        let name = devpath.split(separator: "/").last.map(String.init) ?? ""
        switch subsystem {
        case "pci" where kind == .add || kind == .remove:
            // The kernel names the function (PCI_SLOT_NAME) and its class (PCI_CLASS=%04X of the
            // 24-bit class; drivers/pci/pci-driver.c, pci_uevent): bridges and chipset functions are not followed.
            guard let address = PCIAddress(properties["PCI_SLOT_NAME"] ?? name) else { return nil }
            if let code = properties["PCI_CLASS"].flatMap({ UInt32($0, radix: 16) }), DeviceClass(classCode: code) == nil { return nil }
            return HotplugChange(device: .pciDevice(address), kind: kind)
        case "cpu" where devpath.hasPrefix("/devices/system/cpu/cpu") && name.hasPrefix("cpu"):
            return Int(name.dropFirst(3)).map { HotplugChange(device: .cpu($0), kind: kind) }
        case "memory" where devpath.hasPrefix("/devices/system/memory/memory") && name.hasPrefix("memory"):
            return Int(name.dropFirst(6)).map { HotplugChange(device: .memoryBlock($0), kind: kind) }
        default:
            return nil
        }
    }
}

/// A CPU or memory block going online or offline, appearing or going away.
public struct HotplugChange: Sendable, Hashable, CustomStringConvertible {
    public enum Device: Sendable, Hashable {
        case cpu(Int)
        case memoryBlock(Int)
        /// A PCI function services may be placed near (`near:`).
        case pciDevice(PCIAddress)
    }

    public enum Kind: String, Sendable, Hashable {
        case online, offline, add, remove
    }

    public var device: Device
    public var kind: Kind

    public init(device: Device, kind: Kind) {
        self.device = device
        self.kind = kind
    }

    public var description: String {
        switch device {
        case .cpu(let id): return "CPU \(id) \(kind.rawValue)"
        case .memoryBlock(let id): return "memory block \(id) \(kind.rawValue)"
        case .pciDevice(let address): return "PCI device \(address) \(kind.rawValue)"
        }
    }

    /// The uevent the kernel sends for this change.
    public func uevent(seqnum: UInt64) -> Uevent {
        switch device {
        case .cpu(let id):
            return Uevent(action: kind.rawValue, devpath: "/devices/system/cpu/cpu\(id)", subsystem: "cpu", seqnum: seqnum)
        case .memoryBlock(let id):
            return Uevent(action: kind.rawValue, devpath: "/devices/system/memory/memory\(id)", subsystem: "memory", seqnum: seqnum)
        case .pciDevice(let address):
            // Below its root bus; the bridges between are not known here (the watcher reads PCI_SLOT_NAME).
            let root = "pci\(String(address.description.dropLast(5)))"
            return Uevent(
                action: kind.rawValue, devpath: "/devices/\(root)/\(address)", subsystem: "pci", seqnum: seqnum,
                properties: ["PCI_SLOT_NAME": address.description])
        }
    }
}
