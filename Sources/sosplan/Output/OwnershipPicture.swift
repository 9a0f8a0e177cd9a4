import SosplanCore

/// The picture `sosplan show` draws, before it becomes text or SVG: groups
/// (packages or NUMA nodes, whichever is the larger unit here), rows inside
/// them (the other unit), cores in each row ordered by last-level cache, and
/// every thread with its owner. Both renderers draw this, so they agree.
struct OwnershipPicture {
    struct Thread {
        var id: Int
        var owner: Owner
    }

    struct Core {
        var threads: [Thread]
        var l3: Int?
    }

    /// One package within a node, or one node within a package.
    struct Row {
        var label: String
        var cores: [Core]
    }

    struct Group {
        var title: String
        var rows: [Row]
    }

    struct NodeMemory {
        var node: Int
        var total: UInt64
        var free: UInt64
        var hugepages: [HugepagePool]
        var holdings: [MemoryHolding]
        /// The node's memory tier, when hwloc tells it apart (HBM, NVM, ...).
        var tier: MemoryTier?
    }

    /// A PCI device, its node and the owners placed near it.
    struct Device {
        var address: PCIAddress
        var deviceClass: DeviceClass
        var names: [String]
        var node: Int?
        var localCPUs: CPUSet
        var near: [Owner]
    }

    struct LegendEntry {
        var owner: Owner
        var cpus: CPUSet
        var bytes: UInt64
    }

    var title: String
    var groups: [Group]
    var memory: [NodeMemory]
    var legend: [LegendEntry]
    var devices: [Device] = []
    /// Hotplug since the last apply, and enclave applications (see CPUOwnership).
    var lost = CPUSet()
    var returned = CPUSet()
    var applications: [EnclaveApplication] = []
    /// The widest CPU id, in digits (cells line up).
    var idWidth: Int

    init(snapshot: HostSnapshot, ownership: CPUOwnership) {
        let t = snapshot.topology
        let host = snapshot.hostname.map { "host \($0), " } ?? ""
        title = "CPU ownership: \(ownership.title) (\(host)\(t.cpus.count) CPUs)"
        lost = ownership.lost
        returned = ownership.returned
        applications = ownership.applications
        idWidth = String(t.cpus.last?.id ?? 0).count
        // Nodes nested in packages (or as many as packages): packages outside.
        let packageCount = Set(t.cpus.compactMap(\.package)).count
        let nodeCount = Set(t.cpus.compactMap(\.node)).count
        let nodesOutside = packageCount > nodeCount
        let outerKey: (CoreGroup) -> Int? = nodesOutside ? { $0.node } : { $0.package }
        let innerKey: (CoreGroup) -> Int? = nodesOutside ? { $0.package } : { $0.node }
        let (outerName, innerName) = nodesOutside ? ("node", "package") : ("package", "node")
        func label(_ name: String, _ id: Int?) -> String { "\(name) \(id.map(String.init) ?? "?")" }
        func sortKey(_ id: Int?) -> Int { id ?? Int.max }

        let cores = t.cores
        var grouped: [Int: [Int: [CoreGroup]]] = [:]
        for core in cores { grouped[sortKey(outerKey(core)), default: [:]][sortKey(innerKey(core)), default: []].append(core) }
        groups = grouped.keys.sorted().map { outer in
            let rows = grouped[outer]!.keys.sorted().map { inner -> Row in
                let members = grouped[outer]![inner]!.sorted { (sortKey($0.l3), $0.leader) < (sortKey($1.l3), $1.leader) }
                return Row(
                    label: label(innerName, inner == Int.max ? nil : inner),
                    cores: members.map { core in
                        Core(
                            threads: core.threads.map { Thread(id: $0, owner: ownership.owner(of: $0) ?? .host) },
                            l3: core.l3)
                    })
            }
            return Group(title: label(outerName, outer == Int.max ? nil : outer), rows: rows)
        }

        memory = t.nodes.map { node in
            NodeMemory(
                node: node.id, total: node.memoryBytes, free: node.freeBytes, hugepages: node.hugepages,
                holdings: ownership.memory.filter { $0.node == node.id }, tier: node.memoryTier)
        }
        devices = t.pciDevices.map { d in
            Device(
                address: d.address, deviceClass: d.deviceClass, names: d.names.map(\.name), node: d.node, localCPUs: d.localCPUs,
                near: ownership.nearOwners[d.address] ?? [])
        }
        let byOwner = ownership.cpusByOwner
        legend = ownership.ownersPresent.map { owner in
            LegendEntry(
                owner: owner, cpus: byOwner[owner] ?? CPUSet(),
                bytes: ownership.memory.filter { $0.owner == owner }.reduce(0) { $0 + $1.bytes })
        }
    }
}
