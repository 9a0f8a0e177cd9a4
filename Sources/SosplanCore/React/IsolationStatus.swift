/// What still reaches the isolated CPUs of the applied layout: IRQs that
/// may run there and could be moved (someone moved them back, or they are
/// new: drift), IRQs the kernel will not move (reported, not fought), and
/// whether unbound kernel work may run there.
public struct IsolationStatus: Sendable, Hashable {
    public var isolatedCPUs: CPUSet
    /// `24 (ACPI:Ged)` labels.
    public var movableIRQs: [String]
    public var fixedIRQs: [String]
    /// The unbound-workqueue mask includes isolated CPUs.
    public var workqueuesReach: Bool

    public init(isolatedCPUs: CPUSet, movableIRQs: [String] = [], fixedIRQs: [String] = [], workqueuesReach: Bool = false) {
        self.isolatedCPUs = isolatedCPUs
        self.movableIRQs = movableIRQs
        self.fixedIRQs = fixedIRQs
        self.workqueuesReach = workqueuesReach
    }

    /// What lands on the isolated CPUs of `layout` as placed, on the host
    /// `now`; nil when nothing is isolated or the kernel was not observed.
    public static func of(layout: HostLayout, placement: Placement, now: HostSnapshot) -> IsolationStatus? {
        let targets = KernelTargets(layout: layout, placement: placement)
        guard !targets.isolated.isEmpty, let kernel = now.kernel else { return nil }
        let (movable, fixed) = kernel.irqs(landingOn: targets.isolated)
        return IsolationStatus(
            isolatedCPUs: targets.isolated, movableIRQs: targets.isolation.irqs == .host ? movable.map(\.label) : [],
            fixedIRQs: fixed.map(\.label),
            workqueuesReach: targets.isolation.workqueues == .host && !(kernel.workqueueMask?.isDisjoint(with: targets.isolated) ?? true))
    }

    var jsonValue: JSONValue {
        .object([
            ("isolatedCPUs", .string(isolatedCPUs.description)), ("movableIRQs", .array(movableIRQs.map(JSONValue.string))),
            ("fixedIRQs", .array(fixedIRQs.map(JSONValue.string))), ("workqueuesReach", .bool(workqueuesReach)),
        ])
    }

    /// Gauges for the textfile collector.
    func metrics(_ out: inout MetricsBuilder) {
        out.gauge("sosplan_isolated_cpus", "CPUs of isolated services in the last applied layout.", [([:], Double(isolatedCPUs.count))])
        out.gauge(
            "sosplan_isolated_cpu_irqs",
            "IRQs that may run on isolated CPUs: movable ones (drift, the next apply moves them) and ones the kernel will not move.",
            [(["kind": "movable"], Double(movableIRQs.count)), (["kind": "fixed"], Double(fixedIRQs.count))])
    }
}
