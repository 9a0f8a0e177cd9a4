import Foundation
import SosplanDrivers
import SosplanTestSupport

extension ObserveBenchmark {
    static let target = 0.4

    /// The side-by-side rows: `sosplan observe` against lstopo on each
    /// fixture (the two run alternately so they share the load), the probe
    /// alone in-process, and the peak resident size of `observe`.
    static func rows(fixtures: [String], runs: Int, sosplan: URL) throws -> [BenchRow] {
        guard FileManager.default.isExecutableFile(atPath: lstopo) else {
            return [.skipped("observe", "no \(lstopo) (apt-get install hwloc-nox)")]
        }
        if let missing = fixtures.lazy.compactMap({ TopologyFixtures.unavailableReason(of: $0) }).first {
            return [.skipped("observe", missing)]
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-observe-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var rows: [BenchRow] = []
        var largest: (cpus: Int, name: String, root: URL)?
        for name in fixtures {
            let root = try unpack(name, into: scratch)
            let probe = SysfsTopologyProbe(root: root.path)
            let cpus = try probe.probeTopology().topology.cpus.count
            if largest == nil || cpus > largest!.cpus { largest = (cpus, name, root) }
            let probeTime = try Samples.time(runs: runs) { _ = try probe.probeTopology() }
            let ours = [sosplan.path, "observe", "--root", root.path, "--format", "json"]
            let theirs = [lstopo, "--input", root.path, "--of", "xml", "-"]
            _ = try launch(ours[0], Array(ours.dropFirst()))
            _ = try launch(theirs[0], Array(theirs.dropFirst()))
            var a: [Double] = [], b: [Double] = [], aCPU: [Double] = [], bCPU: [Double] = []
            for _ in 0..<runs {
                let x = try launch(ours[0], Array(ours.dropFirst())), y = try launch(theirs[0], Array(theirs.dropFirst()))
                a.append(x.wall); aCPU.append(x.cpu); b.append(y.wall); bCPU.append(y.cpu)
            }
            let o = Samples(values: a), l = Samples(values: b)
            let ratio = o.median / l.median
            rows.append(BenchRow(
                name: "observe: \(name) (\(cpus) CPUs), `sosplan observe --format json`", figure: o.ms(), spread: o.spread(),
                peer: "`lstopo-no-graphics --input DIR --of xml` \(l.ms())", ratio: Samples.ratio(ratio),
                target: "≤ \(target)×", met: ratio <= target,
                limits: String(format: "CPU %.1f vs %.1f ms; the probe alone (in-process, CPU time) %@; the rest is process start-up and output",
                               Benchmark.median(aCPU), Benchmark.median(bCPU), probeTime.ms())))
        }
        if let largest {
            var peaks: [Double] = [], theirs: [Double] = []
            for _ in 0..<3 {
                peaks.append(Double(try peakRSS(sosplan.path, ["observe", "--root", largest.root.path, "--format", "json"])))
                theirs.append(Double(try peakRSS(lstopo, ["--input", largest.root.path, "--of", "xml", "-"])))
            }
            let o = Benchmark.median(peaks) / 1024, l = Benchmark.median(theirs) / 1024
            rows.append(BenchRow(
                name: "memory: peak resident size of `sosplan observe` on \(largest.name)", figure: String(format: "%.1f MiB", o),
                peer: String(format: "lstopo %.1f MiB", l), ratio: Samples.ratio(o / l),
                limits: "ru_maxrss through GNU time; includes the Swift runtime and shared libraries"))
        }
        return rows
    }
}
