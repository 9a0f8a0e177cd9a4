/// `near:` of services and enclaves, and the checks of devices and memory
/// policy that need no host.
extension LayoutReader {
    /// A device or a non-empty list of distinct devices: a name (`mlx5_0`,
    /// `eth0`, `nvme0n1`), a PCI address (`0000:43:00.0`) or a class with an
    /// index (`gpu:0`). Whether the host has them is checked when planning.
    func near(_ node: YAMLNode, _ path: String) -> [DeviceReference]? {
        let items: [(node: YAMLNode, path: String)]
        if let list = node.sequence {
            guard !list.isEmpty else {
                error(path, "the list of devices is empty", at: node.mark, hints: ["leave 'near' out, or name a device: near: mlx5_0"])
                return nil
            }
            items = list.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
        } else {
            items = [(node, path)]
        }
        var references: [DeviceReference] = []
        var ok = true
        for (item, itemPath) in items {
            guard let text = string(item, itemPath, what: "a device (a name such as mlx5_0, a PCI address, or a class and index such as gpu:0)") else {
                ok = false
                continue
            }
            switch DeviceReference.parse(text) {
            case .success(let reference):
                if references.contains(reference) {
                    error(itemPath, "device '\(text)' is listed twice", at: item.mark)
                    ok = false
                }
                references.append(reference)
            case .failure(let problem):
                let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
                error(itemPath, "'\(shown)': \(problem.message)", at: item.mark, hints: problem.hints)
                ok = false
            }
        }
        return ok ? references : nil
    }

    /// What `near` and `memory.policy` need of a service: CPUs of its own
    /// to place, and processes sosplan starts to set a policy on.
    func checkDevicePlacement(_ service: ServiceSpec, _ f: Fields) {
        if let n = f["near"], !service.near.isEmpty, service.cpus.isShared, !isBroken(f.path("cpus")) {
            let pool = service.stack == .linux ? "the shared pool" : "the CPUs its enclave's other services leave"
            error(f.path("near"), "a service on \(pool) has no CPUs of its own to place near \(LayoutReader.deviceList(service.near))",
                  at: f.keyMark("near") ?? n.mark,
                  hints: [service.stack == .linux
                      ? "give it CPUs of its own, for example cpus: 4 (or {count: 4, min: 0} to let it fall back to the shared pool)"
                      : "give it CPUs of its own among the enclave's, for example cpus: 2; the enclave itself may be near the device too"])
        }
        guard service.stack == .linux else { return }
        if service.memory.policy != nil, service.exec == nil, let memory = f["memory"] {
            let mark = memory.mapping?.first { $0.key.scalar == "policy" }?.key.mark ?? memory.mark
            let whose = service.container != nil ? "a container's processes keep podman's" : "the units of 'units:' and 'existingSlice:' keep their own"
            error(f.path("memory") + ".policy",
                  "memory.policy is set on the unit sosplan starts for 'exec:' (NUMAPolicy=); \(whose) NUMA policy",
                  at: mark, hints: ["leave memory.policy out: memory.tier still binds the slice's memory (AllowedMemoryNodes)",
                                    "or set NUMAPolicy= and NUMAMask= in those units yourself"])
        }
    }

    static func deviceList(_ devices: [DeviceReference]) -> String {
        devices.count == 1 ? "device '\(devices[0])'" : "devices " + devices.map { "'\($0)'" }.joined(separator: ", ")
    }
}
