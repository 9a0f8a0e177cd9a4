/// `sosplan status`: the last apply that converged, the last reconcile
/// attempt, and whether the host has drifted from what was applied. The
/// JSON form is the `sosplan.status/v1` contract scripts (and the Ansible
/// module) read; exit 0 in sync, 2 drifted (or never applied, or an apply
/// did not finish), 1 error.
public struct HostStatus: Sendable {
    public static let schemaID = "sosplan.status/v1"

    public enum State: String, Sendable {
        case inSync = "in-sync"
        case drifted
        case neverApplied = "never-applied"
        case interrupted
    }

    public struct LastApply: Sendable, Hashable {
        public var at: String
        public var trigger: String
        public var outcome: String
        public var layout: String?
        public var seconds: Double
        public var steps: Int

        public init(at: String, trigger: String, outcome: String, layout: String?, seconds: Double, steps: Int) {
            self.at = at
            self.trigger = trigger
            self.outcome = outcome
            self.layout = layout
            self.seconds = seconds
            self.steps = steps
        }
    }

    public var state: State
    public var lastApply: LastApply?
    public var lastReconcile: ReconcileRecord?
    public var drift: [Drift]
    /// The placement last applied (per-owner CPU counts in the metrics).
    public var placement: Placement?
    /// CPUs online now (to count what each owner still has).
    public var onlineCPUs: CPUSet?
    /// What still reaches the applied layout's isolated CPUs (nil: nothing is isolated).
    public var isolation: IsolationStatus?

    public init(
        state: State, lastApply: LastApply? = nil, lastReconcile: ReconcileRecord? = nil, drift: [Drift] = [],
        placement: Placement? = nil, onlineCPUs: CPUSet? = nil
    ) {
        self.state = state
        self.lastApply = lastApply
        self.lastReconcile = lastReconcile
        self.drift = drift
        self.placement = placement
        self.onlineCPUs = onlineCPUs
    }

    public var exitCode: Int32 { state == .inSync ? 0 : 2 }

    public func jsonValue() -> JSONValue {
        var o: [(String, JSONValue)] = [("schema", .string(Self.schemaID)), ("state", .string(state.rawValue))]
        if let a = lastApply {
            var last: [(String, JSONValue)] = [
                ("at", .string(a.at)), ("trigger", .string(a.trigger)), ("outcome", .string(a.outcome)),
            ]
            last.append(("layout", a.layout.map(JSONValue.string) ?? .null))
            last.append(("seconds", .double(a.seconds)))
            last.append(("steps", .int(Int64(a.steps))))
            o.append(("lastApply", .object(last)))
        } else {
            o.append(("lastApply", .null))
        }
        o.append(("lastReconcile", lastReconcile?.jsonValue() ?? .null))
        o.append(("drift", .array(drift.map(\.jsonValue))))
        if let isolation { o.append(("isolation", isolation.jsonValue)) }
        return .object(o)
    }
}

/// One way the host differs from what sosplan last applied.
public struct Drift: Sendable, Hashable, CustomStringConvertible {
    /// `cpu`, `node`, `unit`, `enclave`, `pool`, `fallback` (a slice left
    /// with no online CPU), `plan` (a step the next apply would take),
    /// `journal` (an apply that did not finish).
    public var kind: String
    public var target: String
    public var message: String

    public init(kind: String, target: String, message: String) {
        self.kind = kind
        self.target = target
        self.message = message
    }

    public var description: String { "\(target): \(message)" }

    var jsonValue: JSONValue {
        .object([("kind", .string(kind)), ("target", .string(target)), ("message", .string(message))])
    }

    /// What differs between the host right after the last apply and now,
    /// the slices cgroup v2 would silently spread over their parent's
    /// CPUs, and what planning the applied layout again would change.
    public static func between(applied: HostSnapshot, now: HostSnapshot, replanned steps: [Step]) -> [Drift] {
        var out = SnapshotDifference.between(applied, now).map {
            Drift(kind: kind(of: $0.subject), target: $0.subject, message: $0.change)
        }
        out += fallbacks(now)
        out += steps.map {
            Drift(kind: "plan", target: $0.target.description, message: "the next apply would \($0.action.rawValue) it" + ($0.reason.map { " (\($0))" } ?? ""))
        }
        return out
    }

    /// sosplan's slices whose every allowed CPU is offline: cgroup v2 then
    /// treats the cpuset as empty and runs the slice on its parent's CPUs.
    public static func fallbacks(_ snapshot: HostSnapshot) -> [Drift] {
        let online = snapshot.topology.onlineCPUs
        return (snapshot.systemd?.units ?? []).compactMap { unit in
            guard unit.managed || unit.name.hasPrefix("sosplan-"), unit.name.hasSuffix(".slice"),
                let allowed = unit.allowedCPUs, !allowed.isEmpty, allowed.isDisjoint(with: online)
            else { return nil }
            return Drift(
                kind: "fallback", target: unit.name,
                message: "every CPU of AllowedCPUs \(allowed) is offline: cgroup v2 runs its processes on its parent's CPUs")
        }
    }

    static func kind(of subject: String) -> String {
        if subject.hasPrefix("CPU ") { return "cpu" }
        if subject.hasPrefix("node ") { return "node" }
        if subject.hasPrefix("IRQ ") || subject == "default IRQ affinity" || subject == "irqbalance" { return "irq" }
        if subject == "workqueue cpumask" || subject.hasPrefix("kernel arguments") { return "kernel" }
        if subject.hasSuffix(" reserved pool") { return "pool" }
        if subject.hasPrefix("enclave:") || EnclaveDriverKind.allCases.contains(where: { subject.hasPrefix($0.rawValue + ":") }) {
            return "enclave"
        }
        return "unit"
    }
}
