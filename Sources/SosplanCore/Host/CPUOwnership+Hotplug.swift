/// What `show` adds to an ownership picture on a host sosplan manages:
/// CPUs lost (offline, held by no co-kernel: a layout cannot use them),
/// CPUs that returned since the last apply (online now, offline and
/// ownerless then: the next reconcile gives them out), and which CPUs of
/// each enclave its applications use.
public struct EnclaveApplication: Sendable, Hashable {
    public var enclave: String
    public var service: String
    public var cpus: CPUSet

    public init(enclave: String, service: String, cpus: CPUSet) {
        self.enclave = enclave
        self.service = service
        self.cpus = cpus
    }
}

extension CPUOwnership {
    /// Marks the CPUs lost now and those that came back since `applied` (the
    /// snapshot taken right after the last apply).
    public mutating func markHotplug(since applied: HostSnapshot, now: HostSnapshot) {
        let then = Dictionary(applied.topology.cpus.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        lost = CPUSet()
        returned = CPUSet()
        for cpu in now.topology.cpus {
            guard let before = then[cpu.id] else { continue }
            if !cpu.online && cpu.owner == nil { lost.insert(cpu.id) }
            if !before.online && before.owner == nil && cpu.online { returned.insert(cpu.id) }
        }
    }

    /// The services a placement puts inside its enclaves, with their CPUs.
    public static func applications(of placement: Placement) -> [EnclaveApplication] {
        var out: [EnclaveApplication] = []
        for enclave in placement.enclaves where !enclave.value.cpus.isEmpty {
            for service in placement.services where !service.value.shared && !service.value.cpus.isEmpty
                && service.value.cpus.isSubset(of: enclave.value.cpus)
            {
                out.append(EnclaveApplication(enclave: enclave.name, service: service.name, cpus: service.value.cpus))
            }
        }
        return out
    }
}
