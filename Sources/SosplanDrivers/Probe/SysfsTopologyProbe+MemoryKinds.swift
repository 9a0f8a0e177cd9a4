import SosplanCore

/// Nodes whose memory is not ordinary RAM, told apart as hwloc does: a GPU's
/// memory onlined by the NVIDIA driver, and DAX devices given to the kernel
/// as RAM (`target_node`), specific-purpose memory (HBM, CXL) under `hmem`
/// or persistent memory under an nvdimm region.
extension SysfsTopologyProbe {
    static let daxDevices = "sys/bus/dax/devices"
    static let daxKmem = "sys/bus/dax/drivers/kmem"
    static let nvidiaGPUs = "proc/driver/nvidia/gpus"

    /// A DAX device with the node it gives memory to.
    struct DAXDevice {
        var name: String
        var targetNode: Int
        /// Its link into the device tree (`../../../devices/platform/hmem.0/dax0.0`).
        var link: String
        /// Bound to the kmem driver: its memory is a NUMA node's RAM.
        var kmem: Bool
    }

    func readDAXDevices(_ sys: SysfsReader) -> [DAXDevice] {
        guard let names = sys.list(Self.daxDevices) else { return [] }
        let kmem = Set(sys.list(Self.daxKmem) ?? [])
        return names.sorted().compactMap { name in
            let dir = "\(Self.daxDevices)/\(name)"
            guard let node = sys.int("\(dir)/target_node"), node >= 0, let link = sys.linkTarget(dir) else { return nil }
            return DAXDevice(name: name, targetNode: node, link: link, kmem: kmem.contains(name))
        }
    }

    /// Nodes the NVIDIA driver reports as a GPU's memory (`Node: N` in numa_status).
    func readGPUMemoryNodes(_ sys: SysfsReader) -> Set<Int> {
        var nodes = Set<Int>()
        for gpu in (sys.list(Self.nvidiaGPUs) ?? []).sorted() {
            let status = sys.text("\(Self.nvidiaGPUs)/\(gpu)/numa_status") ?? ""
            for line in status.split(separator: "\n") where line.hasPrefix("Node:") {
                if let node = Int(line.dropFirst("Node:".count).trimmingASCIIWhitespace()), node >= 0 { nodes.insert(node) }
            }
        }
        return nodes
    }

    func readMemoryKinds(_ dax: [DAXDevice], gpuNodes: Set<Int>, _ nodes: inout [NUMANode]) {
        var kinds: [Int: MemoryKind] = [:]
        for device in dax {
            if device.link.contains("/hmem") {
                kinds[device.targetNode] = .spm
            } else if device.link.contains("/ndbus") || device.link.contains("/region") {
                kinds[device.targetNode] = .nvm
            }
        }
        for node in gpuNodes { kinds[node] = .gpu }
        for i in nodes.indices { nodes[i].memoryKind = kinds[nodes[i].id] }
    }
}
