import Foundation
import SosplanCore
import SosplanTestSupport

/// Placement quality against the kubelet CPU manager's packed allocator (the
/// model the plan tests compare with), on the same requests and the same
/// free CPUs: services of 1 to 16 CPUs filling about 70% of a host, in
/// layout order; then one service grows and both place again. Counted:
/// NUMA nodes spanned and cores split (summed over services) and CPUs taken
/// away from services by the re-plan. sosplan must never be worse.
enum PlacementQualityBenchmark {
    static let sizes = [2, 3, 4, 1, 6, 8, 2, 12, 5, 16]

    /// `sosplan-bench placement-quality`: the rows alone (counts, not times;
    /// every host, one round).
    static let benchmark = Benchmark(
        name: "placement-quality", about: "placement quality vs the kubelet packed model (counts, not times)", defaultRuns: 1,
        prepare: { {} }, compare: { _ in rows(smoke: false) })

    static func hosts(smoke: Bool) -> [(String, HostSnapshot)] {
        var out: [(String, HostSnapshot)] = [
            ("2s-2n-6c-2t", SyntheticHost.snapshot(packages: 2, nodesPerPackage: 2, coresPerNode: 6, threadsPerCore: 2, llcPerNode: 2)),
            ("4s-4n-8c-4t", SyntheticHost.snapshot(packages: 4, nodesPerPackage: 4, coresPerNode: 8, threadsPerCore: 4)),
        ]
        if smoke { return out }
        out.insert(("2s-8c-2t", SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)), at: 0)
        for name in PlanFixtureBenchmark.fixtures {
            if let snapshot = PlanFixtureBenchmark.snapshot(name) { out.append((name, snapshot)) }
        }
        return out
    }

    static func layout(_ counts: [Int]) -> HostLayout {
        HostLayout(
            file: "quality.yaml", metadata: LayoutMetadata(name: "quality"), policy: LayoutPolicy(topology: .bestEffort, smt: .threads),
            host: HostReservation(cpus: .count(CPURequest(count: 2))),
            services: counts.enumerated().map { i, n in
                ServiceSpec(name: "svc\(i)", units: ["svc\(i).service"], cpus: .count(CPURequest(count: n)))
            })
    }

    struct Score {
        var nodes = 0, splits = 0, moved = 0
        var text: String { "\(nodes) nodes spanned, \(splits) cores split, \(moved) CPUs moved on re-plan" }
        func notWorse(than o: Score) -> Bool { nodes <= o.nodes && splits <= o.splits && moved <= o.moved }
    }

    static func rows(smoke: Bool) -> [BenchRow] {
        hosts(smoke: smoke).map { name, snapshot in
            do { return try row(name, snapshot) } catch { return BenchRow(name: "placement quality: \(name)", figure: "failed: \(error)") }
        }
    }

    static func row(_ name: String, _ snapshot: HostSnapshot) throws -> BenchRow {
        let index = TopologyIndex(snapshot.topology)
        let online = snapshot.topology.onlineCPUs
        var counts: [Int] = []
        while counts.reduce(0, +) + sizes[counts.count % sizes.count] <= online.count * 7 / 10 {
            counts.append(sizes[counts.count % sizes.count])
        }
        let known = EnclaveCapabilities.known
        let first = layout(counts)
        guard let plan = Planner(layout: first, snapshot: snapshot, capabilities: known).plan().plan else {
            throw BenchmarkError("sosplan cannot place \(counts.count) services")
        }
        let ours = (0..<counts.count).map { plan.placement.service("svc\($0)")?.cpus ?? CPUSet() }
        // The kubelet model: the same requests in the same order, from what sosplan left to services.
        let kubelet = KubeletPackedModel(index: index)
        var free = online.subtracting(plan.placement.host.cpus)
        var theirs: [CPUSet] = []
        for n in counts {
            guard let got = kubelet.allocate(n, available: free) else { throw BenchmarkError("the kubelet model cannot place \(n) CPUs") }
            theirs.append(got)
            free.subtract(got)
        }
        // Re-plan: the first service of 3 CPUs asks for 2 more.
        let grown = counts.firstIndex(of: 3) ?? 0
        var more = counts
        more[grown] += 2
        let applied = PlanSimulator(capabilities: known).apply(plan, to: snapshot)
        guard let replan = Planner(layout: layout(more), snapshot: applied, capabilities: known).plan().plan else {
            throw BenchmarkError("sosplan cannot re-place the grown service")
        }
        let oursAgain = (0..<counts.count).map { replan.placement.service("svc\($0)")?.cpus ?? CPUSet() }
        // The kubelet re-admits the changed pod: its CPUs are freed and allocated anew.
        guard let theirsAgain = kubelet.allocate(more[grown], available: free.union(theirs[grown])) else {
            throw BenchmarkError("the kubelet model cannot re-place the grown service")
        }
        func score(_ cpus: [CPUSet], moved: Int) -> Score {
            Score(nodes: cpus.map { index.nodes(of: $0).count }.reduce(0, +), splits: cpus.map { index.splitCores($0) }.reduce(0, +), moved: moved)
        }
        let movedOurs = zip(ours, oursAgain).map { $0.subtracting($1).count }.reduce(0, +)
        let movedNames = zip(ours, oursAgain).enumerated().filter { !$0.element.0.subtracting($0.element.1).isEmpty }
            .map { i, p in "svc\(i) \(p.0)→\(p.1)\(i == grown ? " (the grown one)" : "")" }
        let a = score(ours, moved: movedOurs), b = score(theirs, moved: theirs[grown].subtracting(theirsAgain).count)
        // The grown service after the re-plan (not counted above: context for the moves).
        func shape(_ cpus: CPUSet) -> String { "\(index.nodes(of: cpus).count) node(s), \(index.splitCores(cpus)) split core(s)" }
        let grownShape = "; grown svc\(grown): sosplan \(shape(oursAgain[grown])), kubelet \(shape(theirsAgain))"
        return BenchRow(
            name: "placement quality: \(name) (\(online.count) CPUs), \(counts.count) services", figure: a.text,
            peer: "kubelet packed model: \(b.text)", target: "never worse on any count", met: a.notWorse(than: b),
            limits: "same requests, same free CPUs, policy best-effort + threads"
                + grownShape + (movedNames.isEmpty ? "" : "; sosplan moved " + movedNames.joined(separator: ", ")))
    }
}
