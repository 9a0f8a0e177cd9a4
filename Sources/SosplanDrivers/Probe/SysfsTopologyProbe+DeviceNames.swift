import SosplanCore

/// The names users know devices by, found as hwloc finds its OS devices:
/// each entry of a `/sys/class` directory is a link into the device tree,
/// and the last PCI address in it is the function it belongs to (hwloc
/// 2.9.0, hwloc/topology-linux.c:5750-5849, hwloc_linuxfs_find_osdev_parent).
/// One directory listing per class and one readlink per entry; virtual
/// interfaces, partitions and DRM connectors are left out.
extension SysfsTopologyProbe {
    static let nameClasses: [(dir: String, kind: DeviceName.Kind)] = [
        ("sys/class/net", .net), ("sys/class/infiniband", .rdma), ("sys/class/block", .block), ("sys/class/nvme", .nvme),
        ("sys/class/drm", .drm), ("sys/class/mic", .accelerator), ("sys/class/ve", .accelerator),
    ]

    func readDeviceNames(_ sys: SysfsReader, _ devices: inout [PCIDevice], _ warnings: inout ProbeWarnings) {
        var position: [PCIAddress: Int] = [:]
        for (i, d) in devices.enumerated() { position[d.address] = i }
        for (dir, kind) in Self.nameClasses {
            guard let entries = sys.list(dir) else { continue }
            let all = Set(entries)
            for name in entries.sorted() where Self.isNamedNode(name, kind) {
                // Old kernels made class entries directories holding a `device` link.
                guard let link = sys.linkTarget("\(dir)/\(name)") ?? sys.linkTarget("\(dir)/\(name)/device"),
                    !link.contains("/virtual/"), let address = Self.lastPCIAddress(in: link), let i = position[address]
                else { continue }
                // A partition's link ends in its disk's directory: .../block/sda/sda1, .../nvme0n1/nvme0n1p1.
                if kind == .block, let parent = link.split(separator: "/").dropLast().last, all.contains(String(parent)) { continue }
                guard HostSnapshot.isDeviceName(name) else {
                    warnings.add("PCI device \(address): a \(kind.rawValue) name of \(name.utf8.count) bytes that is not a device name is left out")
                    continue
                }
                devices[i].names.append(DeviceName(kind, name))
            }
        }
        readNVIDIAMinors(sys, &devices, position)
        for i in devices.indices { devices[i].names.sort() }
    }

    /// NVIDIA's device nodes (`/dev/nvidiaN`): the driver lists each GPU
    /// under /proc/driver/nvidia/gpus/<address> with its `Device Minor`.
    private func readNVIDIAMinors(_ sys: SysfsReader, _ devices: inout [PCIDevice], _ position: [PCIAddress: Int]) {
        for entry in sys.list(Self.nvidiaGPUs) ?? [] {
            guard let address = PCIAddress(entry), let i = position[address],
                let info = sys.text("\(Self.nvidiaGPUs)/\(entry)/information")
            else { continue }
            for line in info.split(separator: "\n") where line.hasPrefix("Device Minor:") {
                if let minor = Int(line.dropFirst("Device Minor:".count).trimmingASCIIWhitespace()), minor >= 0 {
                    devices[i].names.append(DeviceName(.gpu, "nvidia\(minor)"))
                }
            }
        }
    }

    /// Class entries that name a device node: not DRM connectors
    /// (`card0-DP-1`) or the `version` file.
    static func isNamedNode(_ name: String, _ kind: DeviceName.Kind) -> Bool {
        guard !name.hasPrefix(".") else { return false }
        if kind == .drm { return (name.hasPrefix("card") || name.hasPrefix("render") || name.hasPrefix("control")) && !name.contains("-") }
        return true
    }

    /// The last `DDDD:BB:DD.F` component of a sysfs path (earlier ones are bridges).
    static func lastPCIAddress(in link: String) -> PCIAddress? {
        for part in link.split(separator: "/").reversed() where part.count >= 12 && part.split(separator: ":").count == 3 {
            if let a = PCIAddress(part) { return a }
        }
        return nil
    }
}
