import SosplanCore

/// `apply PLAN.json`: a saved plan is an input, not an order. Its steps
/// were checked when it was read (`SavedPlanReader`: ids, dependencies,
/// targets, values); here the rule that makes it safe to run:
///
/// 1. the plan carries the layout it was made from (`plan -o` saves it),
///    and that layout reads and checks like any layout;
/// 2. the host is this layout's host, and the plan is not stale (the host
///    as it is now against the snapshot the plan carries, whose
///    fingerprint must be the plan's);
/// 3. sosplan plans that layout again against the host as it is now, and
///    the steps (and placement) must be exactly the saved ones.
///
/// What runs is then the plan sosplan makes itself, which the saved file
/// let a person review: nothing a file says can add, change or reorder a
/// step, and an edited fingerprint cannot hide a host that changed.
extension Reconciler {
    public func prepare(saved plan: Plan) throws(ApplyFailure) -> PreparedApply {
        let problems = SavedPlanValidator.problems(plan)
        guard problems.isEmpty else { throw .invalidPlan(problems) }
        guard let source = plan.layoutSource else {
            throw .invalidPlan([
                "it carries no layout (layoutSource), so sosplan cannot plan it again to check it; "
                    + "plans saved by 'sosplan plan LAYOUT -o PLAN.json' carry theirs",
            ])
        }
        let decoded = LayoutDecoder.decode(source.text, file: source.file)
        guard let layout = decoded.layout else {
            let first = decoded.diagnostics.first { $0.severity == .error }.map(DiagnosticFormatter.text) ?? "it does not read"
            throw .invalidPlan(["the layout it carries (layoutSource) is not a valid layout: \(first)"])
        }
        try takeOverInterruptedApply()
        let units = layout.observedUnitNames
        let snapshot = try observe(units)
        try checkHost(layout.metadata.hostname, snapshot)
        switch SavedPlanCheck.check(plan, against: snapshot) {
        case .fresh: break
        case .freshWithMemoryMoved:
            events(.warning("free memory changed since the plan was made; what the plan takes still fits"))
        case .stale(let changes): throw .stalePlan(changes)
        }
        let result = Planner(layout: layout, snapshot: snapshot, capabilities: host.capabilities).plan()
        guard let now = result.plan else { throw .plan(result.diagnostics) }
        let differences = SavedPlanComparison.differences(saved: plan, now: now)
        guard differences.isEmpty else { throw .planDiffers(differences) }
        return PreparedApply(plan: now, snapshot: snapshot, layout: nil, source: source, unitNames: units)
    }
}
