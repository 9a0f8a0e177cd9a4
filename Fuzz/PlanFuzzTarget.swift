import SosplanCore

/// Saved plans (`plan -o`, `apply PLAN.json`), read the way `apply` reads
/// them (`SavedPlanReader`): never a crash; a plan that reads keeps the
/// rules of plans, reads back from its own JSON, equals itself under the
/// apply rule's comparison, and can be shown and checked for staleness.
struct PlanFuzzTarget: FuzzTarget {
    nonisolated(unsafe) static var host: HostSnapshot?

    func prepare() {
        let bytes = FuzzCheck.read("Tests/Fixtures/Snapshots/8em64t-2s2ca2c.json")
        Self.host = try? HostSnapshot.decode(json: String(decoding: bytes, as: UTF8.self))
        FuzzCheck.require(Self.host != nil, "fixture snapshot does not decode")
    }

    func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let plan: Plan
        do { plan = try SavedPlanReader.read(text) } catch {
            FuzzCheck.require(!error.problems.isEmpty && error.description.utf8.count < 64 << 10, "a refusal without a reason, or a huge one")
            return
        }
        FuzzCheck.require(SavedPlanValidator.problems(plan).isEmpty, "a plan that reads breaks the rules of plans")
        let again = try? SavedPlanReader.read(plan.jsonText())
        FuzzCheck.require(again != nil, "a plan's own JSON does not read back")
        if let again { FuzzCheck.require(SavedPlanComparison.differences(saved: plan, now: again).isEmpty, "a plan differs from itself read back") }
        _ = PlanFormatter.text(plan)
        if let host = Self.host { _ = SavedPlanCheck.check(plan, against: host) }
    }
}
