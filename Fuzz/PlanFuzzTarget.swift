import SosplanCore

/// Saved plans (`plan -o`, `apply PLAN.json`): reading never crashes; a
/// plan that reads can be shown and checked against a host.
struct PlanFuzzTarget: FuzzTarget {
    nonisolated(unsafe) static var host: HostSnapshot?

    func prepare() {
        let bytes = FuzzCheck.read("Tests/Fixtures/Snapshots/8em64t-2s2ca2c.json")
        Self.host = try? HostSnapshot.decode(json: String(decoding: bytes, as: UTF8.self))
        FuzzCheck.require(Self.host != nil, "fixture snapshot does not decode")
    }

    func run(_ bytes: [UInt8]) {
        guard let plan = try? Plan.decode(json: String(decoding: bytes, as: UTF8.self)) else { return }
        _ = PlanFormatter.text(plan)
        _ = plan.jsonText()
        if let host = Self.host { _ = SavedPlanCheck.check(plan, against: host) }
    }
}
