import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport

/// `sosplan-bench observe [--runs N] [FIXTURE...]`: how long observing a
/// host takes, against hwloc's `lstopo --input DIR --of xml` on the same
/// snapshot folder (default: the two 256-CPU fixtures). Reports medians of
/// N runs, wall-clock and CPU time (user + system; robust when other work
/// shares the machine), of
/// - the sysfs probe in-process (what `plan` and `apply` pay),
/// - building the snapshot (fingerprint) and its JSON text in-process,
/// - `sosplan observe --root DIR --format json` as a process,
/// - `lstopo-no-graphics --input DIR --of xml -` as a process,
/// the two processes run alternately so they see the same load; then the
/// ratio sosplan / lstopo (target: at most 1).
enum ObserveBenchmark {
    static let defaultFixtures = ["256ia64-64n2s2c", "256ppc-8n8s4t"]
    static let lstopo = "/usr/bin/lstopo-no-graphics"

    static func run(_ arguments: [String]) throws {
        var runs = 21
        var fixtures: [String] = []
        var rest = arguments[...]
        while let arg = rest.popFirst() {
            if arg == "--runs", let n = rest.popFirst().flatMap(Int.init), n > 0 { runs = n } else { fixtures.append(arg) }
        }
        if fixtures.isEmpty { fixtures = defaultFixtures }
        let sosplan = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("sosplan")
        guard FileManager.default.isExecutableFile(atPath: sosplan.path) else {
            throw BenchmarkError("no sosplan binary beside sosplan-bench (\(sosplan.path)); build both in release mode")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        print("observe: medians of \(runs) runs in milliseconds, wall-clock / CPU (user+system)")
        for name in fixtures {
            let root = try unpack(name, into: scratch)
            let probe = SysfsTopologyProbe(root: root.path)
            let observation = try probe.probeTopology()
            let snapshot = HostSnapshot(topology: observation.topology)
            let probeTime = try measure(runs) { _ = try probe.probeTopology() }
            let snapshotTime = try measure(runs) { _ = HostSnapshot(topology: observation.topology) }
            let jsonTime = try measure(runs) { _ = snapshot.jsonText() }
            let allTime = try measure(runs) { _ = try HostObserver(topology: probe).observe().jsonText() }
            let (ours, theirs) = try alternate(
                runs, (sosplan.path, ["observe", "--root", root.path, "--format", "json"]),
                (lstopo, ["--input", root.path, "--of", "xml", "-"]))
            print(name)
            print("  probe (in-process)                \(probeTime)")
            print("  snapshot + fingerprint            \(snapshotTime)")
            print("  snapshot JSON text                \(jsonTime)")
            print("  probe + snapshot + JSON           \(allTime)")
            print("  sosplan observe --format json     \(ours)")
            print("  lstopo --of xml                   \(theirs)")
            print(
                String(
                    format: "  ratio sosplan/lstopo              %.2f wall, %.2f CPU", ours.wall / theirs.wall,
                    ours.cpu / theirs.cpu))
        }
    }

    /// Unpacks a fixture archive (found as the tests find it: hwloc's from
    /// `scripts/fixtures`) and returns the folder standing for `/`.
    static func unpack(_ name: String, into scratch: URL) throws -> URL {
        guard let archive = TopologyFixtures.archive(name) else {
            throw BenchmarkError(TopologyFixtures.unavailableReason(of: name) ?? "no fixture named \(name)")
        }
        let target = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        _ = try launch("/bin/tar", ["xjf", archive.path, "-C", target.path])
        let tops = try FileManager.default.contentsOfDirectory(atPath: target.path)
        guard tops.count == 1 else { throw BenchmarkError("\(name): expected one top folder, found \(tops)") }
        return target.appendingPathComponent(tops[0])
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
