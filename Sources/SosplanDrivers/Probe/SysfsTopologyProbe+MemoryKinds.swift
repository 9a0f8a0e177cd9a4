import SosplanCore

/// Nodes whose memory is not ordinary RAM, told apart as hwloc does: a GPU's
/// memory onlined by the NVIDIA driver, and DAX devices given to the kernel
/// as RAM (`target_node`), specific-purpose memory (HBM, CXL) under `hmem`
/// or persistent memory under an nvdimm region.
extension SysfsTopologyProbe {
    static let daxDevices = "sys/bus/dax/devices"
    static let nvidiaGPUs = "proc/driver/nvidia/gpus"

    func readMemoryKinds(_ sys: SysfsReader, _ nodes: inout [NUMANode]) {
        var kinds: [Int: MemoryKind] = [:]
        for name in (sys.list(Self.daxDevices) ?? []).sorted() {
            let dir = "\(Self.daxDevices)/\(name)"
            guard let node = sys.int("\(dir)/target_node"), node >= 0, let device = sys.linkTarget(dir) else { continue }
            if device.contains("/hmem") {
                kinds[node] = .spm
            } else if device.contains("/ndbus") || device.contains("/region") {
                kinds[node] = .nvm
            }
        }
        for gpu in (sys.list(Self.nvidiaGPUs) ?? []).sorted() {
            let status = sys.text("\(Self.nvidiaGPUs)/\(gpu)/numa_status") ?? ""
            for line in status.split(separator: "\n") where line.hasPrefix("Node:") {
                if let node = Int(line.dropFirst("Node:".count).trimmingASCIIWhitespace()), node >= 0 { kinds[node] = .gpu }
            }
        }
        for i in nodes.indices { nodes[i].memoryKind = kinds[nodes[i].id] }
    }
}
