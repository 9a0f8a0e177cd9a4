/// Who holds each CPU, and which memory co-kernels hold per NUMA node: the
/// value `sosplan show` draws. `observed(_:)` reads it from a snapshot; the
/// planner derives one from a placement the same way, so both views draw
/// alike.
public struct CPUOwnership: Sendable, Hashable {
    /// The owner of every present CPU, by CPU id.
    public var owners: [Int: Owner]
    /// Memory held away from Linux (enclaves, co-kernel pools), per node.
    public var memory: [MemoryHolding]
    /// What the picture shows, e.g. "observed state" or "placement of node07".
    public var title: String
    /// CPUs offline now with no owner that were online at the last apply.
    public var lost = CPUSet()
    /// CPUs online now that were offline, with no owner, at the last apply.
    public var returned = CPUSet()
    /// Which CPUs of each enclave its applications use.
    public var applications: [EnclaveApplication] = []
    /// The owners placed near each device (`near:`).
    public var nearOwners: [PCIAddress: [Owner]] = [:]

    public init(owners: [Int: Owner], memory: [MemoryHolding] = [], title: String) {
        self.owners = owners
        self.memory = memory
        self.title = title
    }

    public func owner(of cpu: Int) -> Owner? { owners[cpu] }

    /// CPUs per owner.
    public var cpusByOwner: [Owner: CPUSet] {
        var result: [Owner: CPUSet] = [:]
        for (cpu, owner) in owners { result[owner, default: CPUSet()].insert(cpu) }
        return result
    }

    /// Owners that hold at least one CPU or some memory, in legend order.
    public var ownersPresent: [Owner] {
        Set(owners.values).union(memory.map(\.owner)).sorted()
    }

    /// The state the snapshot shows: online CPUs belong to the host, an
    /// offline CPU to the enclave or co-kernel pool that holds it (its
    /// `owner` field), or to nobody (`offline`).
    public static func observed(_ snapshot: HostSnapshot) -> CPUOwnership {
        var owners: [Int: Owner] = [:]
        for cpu in snapshot.topology.cpus {
            if cpu.online {
                owners[cpu.id] = .host
            } else if let label = cpu.owner {
                owners[cpu.id] = Owner(ownerLabel: label)
            } else {
                owners[cpu.id] = .offline
            }
        }
        var memory: [MemoryHolding] = []
        for instance in snapshot.enclaves {
            let owner = Owner(ownerLabel: instance.ownerLabel)
            memory += instance.memory.map { MemoryHolding(node: $0.node, owner: owner, bytes: $0.bytes) }
        }
        for pool in snapshot.enclavePools {
            memory += pool.memory.map { MemoryHolding(node: $0.node, owner: .pool(pool.driver), bytes: $0.bytes) }
        }
        memory.sort { ($0.node, $0.owner) < ($1.node, $1.owner) }
        return CPUOwnership(owners: owners, memory: memory, title: "observed state")
    }
}

/// Memory on one node held by an owner other than the host.
public struct MemoryHolding: Sendable, Hashable {
    public var node: Int
    public var owner: Owner
    public var bytes: UInt64

    public init(node: Int, owner: Owner, bytes: UInt64) {
        self.node = node
        self.owner = owner
        self.bytes = bytes
    }
}
