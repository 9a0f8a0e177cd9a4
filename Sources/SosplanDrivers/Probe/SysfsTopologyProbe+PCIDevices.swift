import SosplanCore

/// PCI devices services are placed near, read as hwloc's Linux backend
/// reads them (hwloc 2.9.0, hwloc/topology-linux.c:6842-7010,
/// hwloc_linuxfs_pci_look_pcidevices; hwloc/pci-common.c:538-720,
/// hwloc__pci_find_busid_parent and hwloc_pcidisc_tree_attach), with fewer
/// reads: one `class` read per function decides whether it is listed at
/// all (bridges, USB and chipset functions are not); a listed one costs its
/// `vendor`, `device` and `numa_node` and one readlink. Locality is read
/// once per PCI root: like hwloc, every function below a host bridge takes
/// the `local_cpus` of the root's first function (or the locality an
/// operator forced with HWLOC_PCI_LOCALITY for that bus).
extension SysfsTopologyProbe {
    static let pciDevices = "sys/bus/pci/devices"

    func readPCIDevices(_ sys: SysfsReader, nodes: [NUMANode], present: CPUSet, _ warnings: inout ProbeWarnings) -> [PCIDevice]? {
        guard let entries = sys.list(Self.pciDevices) else { return nil }
        var listed: [(address: PCIAddress, classCode: UInt32)] = []
        for name in entries {
            guard let address = PCIAddress(name), name.split(separator: ":").count == 3,
                let text = sys.trimmed("\(Self.pciDevices)/\(name)/class"), let code = Self.hexValue(text), code <= 0xff_ffff,
                DeviceClass(classCode: code) != nil
            else { continue }
            listed.append((address, code))
        }
        guard !listed.isEmpty else { return nil }
        listed.sort { $0.address < $1.address }

        var rootLocality: [String: (cpus: CPUSet, forced: Bool)] = [:]
        var firstFunctions: [String: PCIAddress] = [:]
        var devices: [PCIDevice] = []
        for (address, code) in listed {
            let path = "\(Self.pciDevices)/\(address)"
            let root = pciRoot(sys, of: address, &firstFunctions)
            let locality: (cpus: CPUSet, forced: Bool)
            if let known = rootLocality[root.key] {
                locality = known
            } else {
                locality = rootLocalCPUs(sys, first: root.first, present: present)
                rootLocality[root.key] = locality
                if locality.forced, let source = pciLocality?.source {
                    warnings.add("PCI devices below \(root.first) (bus \(String(root.first.description.dropLast(5)))): locality forced by \(source) to CPUs \(locality.cpus)")
                }
            }
            let written = sys.int("\(path)/numa_node").flatMap { n in nodes.contains { $0.id == n } ? n : nil }
            let derived = Self.node(holding: locality.cpus, nodes: nodes)
            let device = PCIDevice(
                address: address, classCode: code, vendor: sys.trimmed("\(path)/vendor").flatMap(Self.hexValue).flatMap(UInt16.init(exactly:)),
                device: sys.trimmed("\(path)/device").flatMap(Self.hexValue).flatMap(UInt16.init(exactly:)),
                node: locality.forced ? derived : (written ?? derived), localCPUs: locality.cpus)
            if !locality.forced, let n = written, let node = nodes.first(where: { $0.id == n }), !node.cpus.isEmpty,
                !locality.cpus.isSubset(of: node.cpus)
            {
                warnings.add("PCI device \(address): numa_node is \(n) but its local CPUs are \(locality.cpus); it is placed as on node \(n)")
            }
            devices.append(device)
        }
        return devices
    }

    /// The PCI root a function is below, and the root's first function (the
    /// one hwloc reads the locality of): the lowest address directly below
    /// `sys/devices/pciDDDD:BB`. Without the sysfs link (old kernels,
    /// trimmed snapshots) the function is its own root.
    private func pciRoot(
        _ sys: SysfsReader, of address: PCIAddress, _ rootFirstFunction: inout [String: PCIAddress]
    ) -> (key: String, first: PCIAddress) {
        guard let link = sys.linkTarget("\(Self.pciDevices)/\(address)") else { return ("\(address)", address) }
        let parts = link.split(separator: "/")
        guard let r = parts.firstIndex(where: { $0.hasPrefix("pci") && $0.contains(":") }) else { return ("\(address)", address) }
        let rootDir = "sys/devices/" + parts[r]
        if let first = rootFirstFunction[rootDir] { return (rootDir, first) }
        let top = (sys.list(rootDir) ?? []).compactMap { PCIAddress($0) }.min()
            ?? (r + 1 < parts.count ? PCIAddress(parts[r + 1]) : nil) ?? address
        rootFirstFunction[rootDir] = top
        return (rootDir, top)
    }

    /// hwloc's locality of a root: the forced one, else the first
    /// function's `local_cpus`, else (unreadable or empty) the whole machine
    /// (pci-common.c:596-607).
    private func rootLocalCPUs(_ sys: SysfsReader, first: PCIAddress, present: CPUSet) -> (cpus: CPUSet, forced: Bool) {
        if let forced = pciLocality?.cpus(domain: first.domain, bus: first.bus) {
            let cpus = forced.intersection(present)
            return (cpus.isEmpty ? present : cpus, true)
        }
        let dir = "\(Self.pciDevices)/\(first)"
        // The mask first, as hwloc reads it (topology-linux.c:5693-5708); the list where there is no valid mask.
        let cpus = (sys.cpuMask("\(dir)/local_cpus") ?? sys.cpuList("\(dir)/local_cpulist"))?.intersection(present) ?? CPUSet()
        return (cpus.isEmpty ? present : cpus, false)
    }

    /// The one node with CPUs that holds `cpus`, or nil when they span
    /// several nodes (no locality) or there is only one node.
    static func node(holding cpus: CPUSet, nodes: [NUMANode]) -> Int? {
        let touched = nodes.filter { !$0.cpus.isEmpty && !$0.cpus.isDisjoint(with: cpus) }
        return touched.count == 1 && nodes.filter({ !$0.cpus.isEmpty }).count > 1 ? touched[0].id : nil
    }

    /// `0x020000` / `0x8086` as sysfs writes class codes and ids.
    static func hexValue(_ text: String) -> UInt32? {
        guard text.hasPrefix("0x"), text.count > 2, text.count <= 10 else { return nil }
        return UInt32(text.dropFirst(2), radix: 16)
    }
}
