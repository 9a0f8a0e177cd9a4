import SosplanCore

/// The devices and memory tiers of `sosplan observe`'s summary.
extension SnapshotSummaryRenderer {
    /// ` · HBM (kernel tier 1) · near CPUs of nodes 1` after a node's memory.
    static func tierText(_ node: NUMANode) -> String {
        var text = ""
        if let tier = node.memoryTier { text += " · \(tier.hwlocName)" }
        if let kernel = node.kernelMemoryTier { text += node.memoryTier == nil ? " · kernel memory tier \(kernel)" : " (kernel tier \(kernel))" }
        if let initiators = node.initiators { text += " · local to node\(initiators.count == 1 ? "" : "s") \(initiators)" }
        return text
    }

    /// One row per PCI device: class, address, names, node (or its CPUs
    /// when it has no node).
    static func deviceRows(_ t: Topology, _ out: inout Lines) {
        guard !t.pciDevices.isEmpty else { return }
        out.row("devices", "\(t.pciDevices.count) PCI device\(t.pciDevices.count == 1 ? "" : "s") (near: by name, address or class:index)")
        var index: [DeviceClass: Int] = [:]
        for device in t.pciDevices {
            let i = index[device.deviceClass, default: 0]
            index[device.deviceClass] = i + 1
            var line = "\(device.deviceClass):\(i) \(device.address)"
            if !device.names.isEmpty { line += " " + device.names.map(\.name).joined(separator: ", ") }
            line += device.node.map { " · node \($0)" } ?? " · no NUMA node (CPUs \(device.localCPUs))"
            out.row("", line)
        }
    }
}
