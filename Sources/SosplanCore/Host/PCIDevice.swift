/// One PCI function that services are placed near: a NIC, an InfiniBand
/// HCA, a GPU, an NVMe drive, an accelerator. Only the classes of
/// `DeviceClass` are listed (bridges, USB and chipset functions are not).
public struct PCIDevice: Codable, Sendable, Hashable {
    public var address: PCIAddress
    /// The 24-bit class code (`class` in sysfs), e.g. 0x020000 for Ethernet.
    public var classCode: UInt32
    /// PCI vendor and device ids; nil when sysfs does not give them.
    public var vendor: UInt16?
    public var device: UInt16?
    /// The NUMA node the device is attached to (`numa_node`, or the one node
    /// its local CPUs lie on); nil when it has no locality (the kernel says
    /// -1 and its CPUs span several nodes, or it is on a single-node host).
    public var node: Int?
    /// The CPUs the device is local to, as hwloc attaches it: the
    /// `local_cpus` of the first function of its PCI root, or the locality an
    /// operator forced with HWLOC_PCI_LOCALITY.
    public var localCPUs: CPUSet
    /// The names users know it by (network interfaces, RDMA devices, block
    /// devices, DRM and vendor nodes), sorted.
    public var names: [DeviceName]

    public init(
        address: PCIAddress, classCode: UInt32, vendor: UInt16? = nil, device: UInt16? = nil, node: Int? = nil,
        localCPUs: CPUSet = CPUSet(), names: [DeviceName] = []
    ) {
        self.address = address
        self.classCode = classCode
        self.vendor = vendor
        self.device = device
        self.node = node
        self.localCPUs = localCPUs
        self.names = names
    }

    /// What the device is for; `.other` for a class code outside the listed ones.
    public var deviceClass: DeviceClass { DeviceClass(classCode: classCode) ?? .other }

    /// The device's short label: its first name, else its address.
    public var label: String { names.first?.name ?? address.description }

    enum CodingKeys: String, CodingKey { case address, `class`, classCode, vendor, device, node, localCPUs, names }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        address = try c.decode(PCIAddress.self, forKey: .address)
        let code = try c.decode(String.self, forKey: .classCode)
        guard let value = PCIDevice.hex(code, digits: 6) else {
            throw DecodingError.dataCorruptedError(forKey: .classCode, in: c, debugDescription: "'\(code)' is not a class code (0x and 6 hex digits)")
        }
        classCode = value
        func id(_ key: CodingKeys) throws -> UInt16? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let v = PCIDevice.hex(text, digits: 4) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not a PCI id (0x and 4 hex digits)")
            }
            return UInt16(v)
        }
        vendor = try id(.vendor)
        device = try id(.device)
        node = try c.decodeIfPresent(Int.self, forKey: .node)
        localCPUs = try c.decode(CPUSet.self, forKey: .localCPUs)
        names = try c.decode([DeviceName].self, forKey: .names)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(address, forKey: .address)
        try c.encode(deviceClass.rawValue, forKey: .class)
        try c.encode(PCIDevice.hexText(classCode, digits: 6), forKey: .classCode)
        try c.encodeIfPresent(vendor.map { PCIDevice.hexText(UInt32($0), digits: 4) }, forKey: .vendor)
        try c.encodeIfPresent(device.map { PCIDevice.hexText(UInt32($0), digits: 4) }, forKey: .device)
        try c.encodeIfPresent(node, forKey: .node)
        try c.encode(localCPUs, forKey: .localCPUs)
        try c.encode(names, forKey: .names)
    }

    /// `0x` and exactly `digits` hex digits, as sysfs writes ids and classes.
    public static func hexText(_ v: UInt32, digits: Int) -> String {
        let h = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - h.count)) + h
    }

    static func hex(_ text: String, digits: Int) -> UInt32? {
        guard text.hasPrefix("0x"), text.count == digits + 2 else { return nil }
        let body = text.dropFirst(2)
        guard body.allSatisfy(\.isHexDigit) else { return nil }
        return UInt32(body, radix: 16)
    }
}

/// A name a device is known by, and what kind of name it is.
public struct DeviceName: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// A network interface (`/sys/class/net`): eth0, ib0, enp65s0f0.
        case net
        /// An InfiniBand/RDMA device (`/sys/class/infiniband`): mlx5_0, qib0, hfi1_0.
        case rdma
        /// A block device (`/sys/class/block`, whole disks only): nvme0n1, sda.
        case block
        /// An NVMe controller (`/sys/class/nvme`): nvme0.
        case nvme
        /// A DRM node (`/sys/class/drm`): card0, renderD128.
        case drm
        /// A vendor's GPU node: nvidia0 (`/dev/nvidiaN`, the minor in /proc/driver/nvidia).
        case gpu
        /// A co-processor's node (`/sys/class/mic`, `/sys/class/ve`): mic0, ve0.
        case accelerator
    }

    public var kind: Kind
    public var name: String

    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    public var description: String { name }

    /// Interfaces and RDMA devices first (what users name most), then by name.
    public static func < (a: DeviceName, b: DeviceName) -> Bool {
        let ka = Kind.allCases.firstIndex(of: a.kind)!, kb = Kind.allCases.firstIndex(of: b.kind)!
        return ka != kb ? ka < kb : a.name.count != b.name.count ? a.name.count < b.name.count : a.name < b.name
    }
}
