import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan status` in a sandbox: in sync after an apply, drifted (exit 2,
/// named) after a change made behind sosplan's back, and a metrics file that
/// Prometheus' own text-format parser reads.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct StatusCommandTests {
    func status(_ sandbox: Sandbox, metrics: URL? = nil) throws -> (status: Int32, json: JSONValue, stderr: String) {
        let r = try sandbox.sosplan(["status", "--format", "json"] + (metrics.map { ["--metrics", $0.path] } ?? []))
        return (r.status, try JSONParser.parse(r.stdout), r.stderr)
    }

    @Test func driftBehindSosplansBackIsNamedAndTheMetricsParse() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let never = try status(sandbox)
        #expect(never.status == 2)
        #expect(never.json["state"]?.stringValue == "never-applied")

        let apply = try sandbox.sosplan(["apply", ApplyFixture.quickstart, "--yes"])
        try #require(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let metrics = sandbox.directory.appendingPathComponent("textfile/sosplan.prom")
        try FileManager.default.createDirectory(at: metrics.deletingLastPathComponent(), withIntermediateDirectories: true)
        let inSync = try status(sandbox, metrics: metrics)
        #expect(inSync.status == 0, "\(inSync.json)")
        #expect(inSync.json["schema"]?.stringValue == "sosplan.status/v1")
        #expect(inSync.json["state"]?.stringValue == "in-sync")
        #expect(inSync.json["lastApply"]?["trigger"]?.stringValue != nil)
        #expect(inSync.json["drift"]?.arrayValue?.isEmpty == true)
        let synced = try Self.parseMetrics(metrics)
        #expect(synced["sosplan_drift"] == [[:]: 0], "\(synced)")
        #expect(synced["sosplan_owner_cpus"]?[["owner": "enclave/lwk0"]] == 8, "\(synced)")
        #expect(synced["sosplan_owner_cpus"]?[["owner": "service/io-forward"]] == 4, "\(synced)")

        // Behind sosplan's back: the I/O forwarder's slice gets other CPUs.
        let show = try sandbox.lab(["systemctl", "show", "--property", "AllowedCPUs", "--value", "sosplan-io-forward.slice"])
        let before = show.stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: " ", with: ",")
        let set = try sandbox.lab(["systemctl", "set-property", "--runtime", "sosplan-io-forward.slice", "AllowedCPUs=0-1"])
        try #require(set.status == 0, "\(set.stderr)")
        let drifted = try status(sandbox, metrics: metrics)
        #expect(drifted.status == 2)
        #expect(drifted.json["state"]?.stringValue == "drifted")
        let items = drifted.json["drift"]?.arrayValue ?? []
        #expect(items.contains {
            $0["target"]?.stringValue == "sosplan-io-forward.slice"
                && ($0["message"]?.stringValue ?? "").contains("AllowedCPUs \(before) → 0-1")
        }, "\(items)")
        let text = try sandbox.sosplan(["status"])
        #expect(text.status == 2)
        #expect(text.stdout.contains("sosplan-io-forward.slice"), "\(text.stdout)")
        let parsed = try Self.parseMetrics(metrics)
        #expect(parsed["sosplan_drift"] == [[:]: 1], "\(parsed)")
        #expect((parsed["sosplan_drift_items"]?.values.reduce(0, +) ?? 0) >= 1, "\(parsed)")
    }

    /// The metrics file read by `prometheus_client`'s text-format parser:
    /// family → labels → value.
    static func parseMetrics(_ file: URL) throws -> [String: [[String: String]: Double]] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.setdefault(s.name, []).append([s.labels, s.value])
            print(json.dumps(out))
            """
        let r = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script, file.path])
        guard r.status == 0 else { throw SystemdLab.Failure(description: "the Prometheus parser refused the file: \(r.stderr)") }
        var out: [String: [[String: String]: Double]] = [:]
        for (name, samples) in try JSONParser.parse(r.stdout).objectValue ?? [] {
            for sample in samples.arrayValue ?? [] {
                guard let pair = sample.arrayValue, pair.count == 2 else { continue }
                let labels = Dictionary(uniqueKeysWithValues: (pair[0].objectValue ?? []).map { ($0.0, $0.1.stringValue ?? "") })
                out[name, default: [:]][labels] = pair[1].int64Value.map(Double.init) ?? { if case .double(let d) = pair[1] { return d } else { return nil } }()
            }
        }
        return out
    }
}
