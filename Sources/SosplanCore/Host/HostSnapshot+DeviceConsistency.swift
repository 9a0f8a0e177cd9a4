/// What a saved snapshot must not say about devices and memory tiers: a
/// device twice or out of order, on a node or CPUs the host does not have,
/// a name that is not a device name (it reaches terminals and messages),
/// one name on two devices (a layout's `near:` would be ambiguous).
extension HostSnapshot {
    /// Longest device name accepted (interface names are at most 15 bytes; DRM and block names are short).
    static let maximumDeviceNameLength = 64

    func deviceInconsistencies(present: CPUSet, nodeIDs: CPUSet) -> [String] {
        var problems: [String] = []
        var owner: [String: PCIAddress] = [:]
        var previous: PCIAddress?
        for (i, device) in topology.pciDevices.enumerated() {
            let path = "topology.devices[\(i)]"
            if let p = previous, device.address <= p {
                problems.append("\(path).address: \(device.address) comes after \(p); devices are listed once each, by ascending address")
            }
            previous = device.address
            if let node = device.node, !nodeIDs.contains(node) {
                problems.append("\(path).node: node \(node) is not in topology.nodes")
            }
            if device.localCPUs.isEmpty {
                problems.append("\(path).localCPUs: a device is local to at least one CPU")
            }
            let absent = device.localCPUs.subtracting(present)
            if !absent.isEmpty { problems.append("\(path).localCPUs: CPUs \(absent) are not in topology.cpus") }
            for (k, name) in device.names.enumerated() {
                let namePath = "\(path).names[\(k)].name"
                guard HostSnapshot.isDeviceName(name.name) else {
                    problems.append("\(namePath): not a device name (1 to \(Self.maximumDeviceNameLength) letters, digits, '_', '-', '.', ':')")
                    continue
                }
                if let other = owner[name.name], other != device.address {
                    problems.append("\(namePath): '\(name.name)' names device \(other) as well")
                }
                owner[name.name] = device.address
            }
        }
        for (i, node) in topology.nodes.enumerated() {
            if let tier = node.kernelMemoryTier, tier < 0 || tier > 1 << 16 {
                problems.append("topology.nodes[\(i)].kernelMemoryTier: \(tier) is not a memory tier id")
            }
            if let initiators = node.initiators, !initiators.isSubset(of: nodeIDs) {
                problems.append("topology.nodes[\(i)].initiators: nodes \(initiators.subtracting(nodeIDs)) are not in topology.nodes")
            }
        }
        return problems
    }

    /// Whether `name` can be a device name in a snapshot (and a layout's `near:`).
    public static func isDeviceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumDeviceNameLength
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:".unicodeScalars.contains($0)) }
    }
}
