/// The Prometheus text exposition of a host's status, for node_exporter's
/// textfile collector: gauges only, base units, no client-side timestamps
/// (the collector skips files that have them), a `sosplan_` prefix.
public enum MetricsText {
    public static func render(_ status: HostStatus, version: String) -> String {
        var out = MetricsBuilder()
        out.gauge("sosplan_build_info", "sosplan's version (always 1).", [(["version": version], 1)])
        out.gauge(
            "sosplan_state", "1 for the host's current state: in-sync, drifted, never-applied or interrupted.",
            [HostStatus.State.inSync, .drifted, .neverApplied, .interrupted].map { (["state": $0.rawValue], $0 == status.state ? 1 : 0) })
        out.gauge("sosplan_drift", "1 when the host differs from what sosplan last applied.", [([:], status.state == .inSync ? 0 : 1)])
        var kinds: [String: Int] = [:]
        for d in status.drift { kinds[d.kind, default: 0] += 1 }
        out.gauge(
            "sosplan_drift_items", "Differences from the last applied state, by kind.",
            kinds.sorted { $0.key < $1.key }.map { (["kind": $0.key], Double($0.value)) })
        if let r = status.lastReconcile {
            out.gauge("sosplan_last_reconcile_timestamp_seconds", "When the last reconcile ended (Unix time).", [([:], r.epochSeconds)])
            out.gauge("sosplan_last_reconcile_success", "1 when the last reconcile converged or had nothing to do.", [([:], r.result.succeeded ? 1 : 0)])
            out.gauge("sosplan_last_reconcile_duration_seconds", "How long the last reconcile took.", [([:], r.seconds)])
            out.gauge("sosplan_last_reconcile_steps", "Steps the last reconcile carried out.", [([:], Double(r.steps))])
        }
        if let a = status.lastApply, let t = ISO8601.epochSeconds(a.at) {
            out.gauge("sosplan_last_apply_success_timestamp_seconds", "When an apply last converged (Unix time).", [([:], t)])
            out.gauge("sosplan_last_apply_duration_seconds", "How long the last converged apply took.", [([:], a.seconds)])
        }
        if let p = status.placement {
            var owners: [(String, CPUSet)] = [("host", p.host.cpus), ("shared", p.shared.cpus)]
            owners += p.enclaves.map { ("enclave/\($0.name)", $0.value.cpus) }
            owners += p.services.filter { !$0.value.shared }.map { ("service/\($0.name)", $0.value.cpus) }
            out.gauge("sosplan_owner_cpus", "CPUs each owner was given by the last apply.", owners.map { (["owner": $0.0], Double($0.1.count)) })
            if let online = status.onlineCPUs {
                // Enclaves hold their CPUs offline: count them as theirs, not as lost.
                let rows = owners.map { owner, cpus in
                    (["owner": owner], Double(owner.hasPrefix("enclave/") ? cpus.count : cpus.intersection(online).count))
                }
                out.gauge("sosplan_owner_cpus_available", "Of those, the CPUs the owner can use now.", rows)
            }
        }
        status.isolation?.metrics(&out)
        return out.text
    }
}

/// Writes `# HELP`/`# TYPE` headers and samples with escaped label values.
struct MetricsBuilder {
    var text = ""

    mutating func gauge(_ name: String, _ help: String, _ samples: [([String: String], Double)]) {
        guard !samples.isEmpty else { return }
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        for (labels, value) in samples {
            let l = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",")
            text += name + (l.isEmpty ? "" : "{\(l)}") + " " + format(value) + "\n"
        }
    }

    private func escape(_ s: String) -> String {
        s.replacingText("\\", with: "\\\\").replacingText("\"", with: "\\\"")
            .replacingText("\n", with: "\\n")
    }

    private func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

/// `2026-12-04T08:16:12.123Z` (what sosplan writes) to Unix time.
public enum ISO8601 {
    public static func epochSeconds(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var n = 0
            for c in b[from..<(from + len)] {
                guard c >= 48, c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard b.count >= 20, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
            let mi = num(14, 2), let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d)
        else { return nil }
        var fraction = 0.0
        if b.count > 20, b[19] == UInt8(ascii: "."), let ms = num(20, 3) { fraction = Double(ms) / 1000 }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (mo + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        return Double(days * 86400 + h * 3600 + mi * 60 + s) + fraction
    }
}
