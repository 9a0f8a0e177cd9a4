/// `near:` of enclaves and services: resolved against the host once, then
/// carried by each owner's CPU request.
extension LayoutPlacer {
    /// The devices each owner asked to be near, where the host has them.
    /// An owner placed already whose device went away keeps its CPUs.
    func nearRequests(observed: ObservedAssignments, diagnostics: inout [Diagnostic], notes: inout [String]) -> [OwnerID: NearRequest] {
        var requests: [OwnerID: NearRequest] = [:]
        let owners: [(OwnerID, [DeviceReference], SourceMarks, Bool)] =
            layout.enclaves.map { (.enclave($0.name), $0.near, $0.marks, observed.enclaves[$0.name] != nil) }
            + layout.services.map { (.service($0.name), $0.near, $0.marks, !(observed.serviceCPUs[$0.name] ?? CPUSet()).isEmpty) }
        for (id, references, marks, placed) in owners where !references.isEmpty {
            requests[id] = NearRequest.resolve(
                references, owner: id, topology: snapshot.topology, policy: layout.policy.topology, file: layout.file, marks: marks,
                placed: placed, diagnostics: &diagnostics, notes: &notes)
        }
        return requests
    }

    /// `owner` with its `near`: under a strict policy its CPUs must come
    /// from the devices' nodes (and from `numa:` when given too).
    func applying(_ near: NearRequest?, to owner: CPUOwner, diagnostics: inout [Diagnostic]) -> CPUOwner {
        guard let near else { return owner }
        var owner = owner
        owner.near = near
        // A pinned enclave stays where it is (its change was deferred).
        guard near.strict, !owner.isPinned else { return owner }
        let nodes = owner.numa.map { CPUSet($0).intersection(near.nodes) } ?? near.nodes
        if let numa = owner.numa, nodes.isEmpty {
            diagnostics.append(.error(
                "\(owner.id): its cpus are on NUMA node(s) \(CPUSet(numa)), but near \(near.label) puts them on \(near.nodes); they have no node in common",
                file: layout.file, at: near.mark ?? owner.mark ?? .start,
                hints: ["drop cpus.numa (near chooses the nodes), or name a device on those nodes"]))
            owner.near = nil
            return owner
        }
        owner.numa = Array(nodes)
        return owner
    }

    /// What drove an enclave's memory: `enclave 'lwk0': memory.tier hbm
    /// (interleave): 512Mi@4`, for each enclave asking for a tier or policy.
    func tierNotes(_ chunks: [String: [MemoryChunk]]) -> [String] {
        let tiers = MemoryTierNodes(topology: snapshot.topology, index: index ?? TopologyIndex(snapshot.topology))
        return layout.enclaves.compactMap { enclave in
            let asked = enclave.memory.filter(EnclaveMemoryPlacer.isTiered)
            guard !asked.isEmpty, let placed = chunks[enclave.name] else { return nil }
            let what = asked.map { r in "memory.tier \((r.tier ?? .any).rawValue) (\((r.policy ?? .bind).rawValue))" }.joined(separator: ", ")
            let on = placed.map { c in
                "\(ByteSize(c.bytes))@\(c.node)" + (snapshot.topology.node(c.node).map { tiers.holds($0, .dram) ? "" : " (\($0.memoryTier?.rawValue ?? "?"))" } ?? "")
            }
            return "enclave '\(enclave.name)': \(what): \(on.joined(separator: ", "))"
        }
    }

    /// What the plan says about an owner's devices: where they are, and
    /// whether its CPUs ended up there.
    static func nearPlacements(_ near: NearRequest?, references: [DeviceReference], cpus: CPUSet, index: TopologyIndex) -> [NearPlacement]? {
        guard let near else { return nil }
        // Near several devices means on the nodes of all of them together.
        let nodeCPUs = near.nodes.reduce(CPUSet()) { $0.union(index.nodeCPUs[$1] ?? CPUSet()) }
        let met = !cpus.isEmpty && cpus.isSubset(of: nodeCPUs)
        return near.devices.map { NearPlacement(device: $0.reference.description, address: $0.device.address, nodes: $0.nodes, met: met) }
    }
}
