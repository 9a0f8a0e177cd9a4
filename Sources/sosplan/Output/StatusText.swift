import SosplanCore

/// `status` for people: state first, then the last apply and reconcile,
/// then every drift named.
enum StatusText {
    static func render(_ s: HostStatus) -> String {
        var out: String
        switch s.state {
        case .inSync: out = "In sync: the host matches the last applied layout.\n"
        case .drifted: out = "Drifted: the host differs from the last applied layout (\(s.drift.count) difference\(s.drift.count == 1 ? "" : "s")).\n"
        case .neverApplied: out = "Never applied: no apply has converged with this state directory.\n"
        case .interrupted: out = "Interrupted: an apply did not finish.\n"
        }
        if let a = s.lastApply {
            out += "Last apply: \(e(a.at)), trigger \(e(a.trigger)), \(a.steps) step\(a.steps == 1 ? "" : "s")"
                + (a.layout.map { ", layout \(e($0))" } ?? "") + "\n"
        }
        if let r = s.lastReconcile {
            out += "Last reconcile: \(e(r.at)), trigger \(e(r.trigger)): \(r.result.rawValue)" + (r.message.map { " (\(e($0)))" } ?? "") + "\n"
        }
        if let i = s.isolation { out += IsolationText.statusLine(i) }
        if !s.drift.isEmpty {
            out += "\n"
            for d in s.drift { out += "  ~ \(e(d.target)): \(e(d.message))\n" }
        }
        if s.state != .inSync {
            out += "\nhint: " + (s.state == .interrupted
                ? "'sosplan apply' finishes the interrupted apply, 'sosplan apply --rollback' undoes it"
                : "'sosplan plan LAYOUT' shows what an apply would change; 'sosplan apply LAYOUT' puts it back") + "\n"
        }
        return out
    }

    /// Values from the state directory and the host, escaped: one per line.
    private static func e(_ s: String) -> String { ControlCharacters.escaped(s) }
}
