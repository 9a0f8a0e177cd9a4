/// How a saved plan differs from the plan sosplan makes now from the layout
/// the saved plan carries, against the host as it is now. `apply PLAN.json`
/// carries out a saved plan only when there is no difference: then every
/// step it runs is one sosplan plans itself, whatever the file said.
public enum SavedPlanComparison {
    /// Each difference in a line, steps first (at most `limit`); empty when
    /// the steps and the placement are the same.
    public static func differences(saved: Plan, now: Plan, limit: Int = 8) -> [String] {
        var out: [String] = []
        if saved.layout != now.layout {
            out.append("the plan says layout '\(ControlCharacters.shown(saved.layout))', its layout is named '\(ControlCharacters.shown(now.layout))'")
        }
        if saved.hostname != now.hostname {
            out.append("the plan says hostname \(quoted(saved.hostname)), its layout \(quoted(now.hostname))")
        }
        let count = max(saved.steps.count, now.steps.count)
        var stepLines: [String] = []
        for i in 0..<count {
            let a = i < saved.steps.count ? saved.steps[i] : nil
            let b = i < now.steps.count ? now.steps[i] : nil
            guard a != b else { continue }
            stepLines.append("step \(i + 1): " + describe(a, b))
        }
        if stepLines.count > limit {
            let more = stepLines.count - limit
            stepLines = Array(stepLines.prefix(limit)) + ["... and \(more) more step difference\(more == 1 ? "" : "s")"]
        }
        out += stepLines
        if sortedByName(saved.placement) != sortedByName(now.placement) {
            out.append("the placement differs: the saved plan gives " + placementSummary(saved.placement)
                + "; planned now: " + placementSummary(now.placement))
        }
        return out
    }

    /// A placement read from JSON has its services and enclaves by name (a
    /// JSON object keeps no order for every reader); one just planned has
    /// them in layout order. Neither order means anything.
    static func sortedByName(_ p: Placement) -> Placement {
        var copy = p
        copy.services.sort { $0.name < $1.name }
        copy.enclaves.sort { $0.name < $1.name }
        return copy
    }

    static func quoted(_ s: String?) -> String { s.map { "'\(ControlCharacters.shown($0))'" } ?? "none" }

    static func name(_ s: Step) -> String {
        "\(ControlCharacters.shown(s.id, limit: 20)) \(s.action.rawValue) \(ControlCharacters.shown(s.target.description))"
    }

    /// One step pair: which field differs, with both values.
    static func describe(_ a: Step?, _ b: Step?) -> String {
        guard let a else { return "sosplan plans \(name(b!)), which the saved plan does not have" }
        guard let b else { return "the saved plan has \(name(a)), which sosplan does not plan" }
        guard a.id == b.id, a.action == b.action, a.target == b.target else {
            return "the saved plan has \(name(a)), sosplan plans \(name(b))"
        }
        var fields: [String] = []
        if a.dependsOn != b.dependsOn {
            fields.append("dependsOn [\(shown(a.dependsOn))] instead of [\(shown(b.dependsOn))]")
        }
        if a.disruption != b.disruption { fields.append("disruption \(a.disruption.rawValue) instead of \(b.disruption.rawValue)") }
        for (side, x, y) in [("before", a.before, b.before), ("after", a.after, b.after)] where x != y {
            let keys = x.keys + y.keys.filter { !x.keys.contains($0) }
            for key in keys where x[key] != y[key] {
                fields.append("\(side).\(ControlCharacters.shown(key, limit: 40)) \(value(x[key])) instead of \(value(y[key]))")
            }
            if keys.allSatisfy({ x[$0] == y[$0] }) { fields.append("\(side) lists its properties in another order") }
        }
        if a.reason != b.reason { fields.append("reason \(quoted(a.reason)) instead of \(quoted(b.reason))") }
        return name(a) + ": " + fields.prefix(3).joined(separator: "; ")
    }

    static func shown(_ ids: [String]) -> String { ControlCharacters.shown(ids.joined(separator: ", ")) }

    static func value(_ v: JSONValue?) -> String {
        guard let v else { return "(absent)" }
        return ControlCharacters.shown(JSONWriter.compact(v), limit: 60)
    }

    static func placementSummary(_ p: Placement) -> String {
        var parts = ["host \(p.host.cpus)", "shared \(p.shared.cpus)"]
        parts += p.services.map { "\(ControlCharacters.shown($0.name, limit: 30)) \($0.value.shared ? "shared" : $0.value.cpus.description)" }
        parts += p.enclaves.map { "\(ControlCharacters.shown($0.name, limit: 30)) \($0.value.cpus)" }
        return ControlCharacters.shown(parts.joined(separator: ", "), limit: 200)
    }
}
