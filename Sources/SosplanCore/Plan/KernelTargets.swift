/// What a layout asks of the kernel once placed: the CPUs of isolated
/// services, the housekeeping CPUs their kernel work goes to (the host's),
/// and the power class of each CPU with its owner. Shared by the planner,
/// `show` and the status metrics.
public struct KernelTargets: Sendable {
    /// CPUs of `isolated: true` services.
    public var isolated = CPUSet()
    /// The host's CPUs: where IRQs and unbound work go (`irqs: host`).
    public var housekeeping = CPUSet()
    public var isolation: IsolationSpec
    /// The power class of each CPU that has one, and who owns the CPU
    /// (`service web`, `enclave lwk0`, `unassigned`).
    public var power: [Int: (owner: String, power: PowerClass, enclave: String?)] = [:]

    public init(layout: HostLayout, placement: Placement) {
        isolation = layout.isolation
        housekeeping = placement.host.cpus
        for service in layout.services where service.stack == .linux && (service.isolated || service.power != nil) {
            guard let placed = placement.service(service.name), !placed.shared else { continue }
            if service.isolated { isolated.formUnion(placed.cpus) }
            if let p = service.power { for cpu in placed.cpus { power[cpu] = ("service \(service.name)", p, nil) } }
        }
        for enclave in layout.enclaves {
            guard let p = enclave.power, let placed = placement.enclave(enclave.name) else { continue }
            for cpu in placed.cpus { power[cpu] = ("enclave \(enclave.name)", p, enclave.name) }
        }
        if let p = layout.power.unassigned {
            for cpu in placement.shared.cpus.subtracting(placement.host.cpus) where power[cpu] == nil {
                power[cpu] = ("unassigned", p, nil)
            }
        }
    }

    /// IRQs go to the host's CPUs now.
    public var steersIRQs: Bool { !isolated.isEmpty && isolation.irqs == .host && !housekeeping.isEmpty }
    /// Unbound workqueues are kept to the host's CPUs now.
    public var steersWorkqueues: Bool { !isolated.isEmpty && isolation.workqueues == .host && !housekeeping.isEmpty }
    /// The arguments for the next boot, rendered (`nohz_full=3-7`); empty when nothing is isolated.
    public var bootArguments: [String] {
        isolated.isEmpty ? [] : isolation.kernelArgs.map { $0.rendered(isolated: isolated, host: housekeeping) }
    }
}
