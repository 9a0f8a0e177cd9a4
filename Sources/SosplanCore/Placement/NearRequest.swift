/// An owner's `near:` as the host resolves it: the devices it names, the
/// NUMA nodes with CPUs they are local to, and how strictly the owner must
/// stay on them (`restricted` and `single-numa-node`: only there;
/// `best-effort` and `none`: there when it fits, elsewhere otherwise).
struct NearRequest: Sendable, Hashable {
    struct Named: Sendable, Hashable {
        /// As the layout wrote it (`mlx5_0`, `gpu:0`).
        var reference: DeviceReference
        var device: PCIDevice
        /// Nodes with CPUs the device is local to (empty: no locality).
        var nodes: CPUSet
    }

    var devices: [Named]
    /// The union of the devices' nodes: where the owner's CPUs go.
    var nodes: CPUSet
    var strict: Bool
    /// Where `near` was written.
    var mark: SourceMark?

    /// `mlx5_0 (NUMA node 1)`, `gpu:0 (0000:04:00.0, NUMA node 0) and eth0 (NUMA node 1)`.
    var label: String {
        devices.map { d in
            let name = d.reference.description
            let address = d.device.address.description
            let known = name == address ? "" : (name.contains(":") ? "\(address), " : "")
            let where_ = d.nodes.isEmpty ? "no NUMA locality" : (d.nodes.count == 1 ? "NUMA node \(d.nodes)" : "NUMA nodes \(d.nodes)")
            return "\(name) (\(known)\(where_))"
        }.joined(separator: " and ")
    }

    /// Resolves `references` for `owner`: nil with diagnostics when a device
    /// is unknown or the policy cannot honour the devices together; nil
    /// without diagnostics when none of them has a locality (nothing to
    /// place near), with a note.
    ///
    /// - Parameter placed: the owner holds CPUs on the host already. A
    ///   device it names that is gone then was hot-removed (PCI remove, a
    ///   slot powered off), not misspelt: a warning, and the owner keeps
    ///   what it has until the device returns (the next plan puts it near
    ///   it again), as with CPUs that go offline.
    static func resolve(
        _ references: [DeviceReference], owner: OwnerID, topology: Topology, policy: LayoutPolicy.Topology, file: String,
        marks: SourceMarks, placed: Bool = false, diagnostics: inout [Diagnostic], notes: inout [String]
    ) -> NearRequest? {
        guard !references.isEmpty else { return nil }
        var named: [Named] = []
        var problems: [Diagnostic] = []
        for (i, reference) in references.enumerated() {
            let mark = marks["near[\(i)]"] ?? marks["near"]
            guard let device = topology.device(reference) else {
                if placed {
                    diagnostics.append(.warning(
                        "\(owner): near: device '\(reference)' is not on this host now (removed?); it keeps its CPUs until the device is back",
                        file: file, at: mark ?? .start))
                    notes.append("\(owner) keeps its CPUs: device '\(reference)' it is placed near is gone")
                } else {
                    problems.append(.error(
                        "\(owner): near: this host has no device '\(reference)'", file: file, at: mark ?? .start,
                        hints: unknownDeviceHints(reference, topology)))
                }
                continue
            }
            named.append(Named(reference: reference, device: device, nodes: topology.localNodes(of: device)))
        }
        guard problems.isEmpty, !named.isEmpty else {
            diagnostics += problems
            return nil
        }
        let nodes = named.reduce(CPUSet()) { $0.union($1.nodes) }
        var request = NearRequest(devices: named, nodes: nodes, strict: policy == .restricted || policy == .singleNUMANode, mark: marks["near"])
        guard !nodes.isEmpty else {
            notes.append("\(owner): near \(request.label): the device has no NUMA locality on this host, so its CPUs go anywhere")
            return nil
        }
        if policy == .singleNUMANode && nodes.count > 1 {
            diagnostics.append(.error(
                "\(owner): near \(request.label): the devices are on NUMA nodes \(nodes), but policy.topology: single-numa-node keeps an owner on one node",
                file: file, at: request.mark ?? .start,
                hints: ["name the devices of one node, or set policy.topology: restricted (the nodes of all the devices) or best-effort"]))
            return nil
        }
        request.nodes = nodes
        return request
    }

    /// "did you mean", and what the host has.
    static func unknownDeviceHints(_ reference: DeviceReference, _ topology: Topology) -> [String] {
        let devices = topology.pciDevices
        guard !devices.isEmpty else { return ["this host lists no PCI device (sosplan observe shows what it sees)"] }
        var hints: [String] = []
        switch reference {
        case .name(let n):
            let names = devices.flatMap { $0.names.map(\.name) }
            if let h = Suggestions.hint(for: n, in: names) { hints.append(h) }
        case .classIndex(let c, _):
            let count = devices.filter { $0.deviceClass == c }.count
            hints.append(count == 0 ? "this host has no \(c.rawValue) device" : "this host has \(count) \(c.rawValue) device\(count == 1 ? "" : "s"): \(c.rawValue):0\(count > 1 ? " to \(c.rawValue):\(count - 1)" : "")")
        case .address:
            break
        }
        let shown = devices.prefix(8).map { d in
            (d.names.first.map { "\($0.name) " } ?? "") + "\(d.address) (\(d.deviceClass)\(d.node.map { ", node \($0)" } ?? ""))"
        }
        hints.append("devices: " + shown.joined(separator: ", ") + (devices.count > 8 ? ", ... (sosplan observe lists all \(devices.count))" : ""))
        return hints
    }
}

/// What the plan says drove an owner's placement: the devices it is near
/// and whether its CPUs are there.
public struct NearPlacement: Codable, Sendable, Hashable {
    /// The device as the layout names it.
    public var device: String
    public var address: PCIAddress
    /// The NUMA nodes with CPUs it is local to.
    public var nodes: CPUSet
    /// True when all the owner's CPUs are on the nodes of the devices it
    /// names (always, under restricted and single-numa-node; best-effort
    /// may fall back).
    public var met: Bool

    public init(device: String, address: PCIAddress, nodes: CPUSet, met: Bool) {
        self.device = device
        self.address = address
        self.nodes = nodes
        self.met = met
    }
}
