import Foundation
import SosplanCore

/// Planning at scale: a synthetic 4,096-CPU, 64-node host with 1,000
/// services and 16 enclaves, and smaller hosts to show how time grows.
enum PlanBenchmark {
    /// A regular host: `nodes` nodes of `cores` cores with 2 threads.
    static func host(nodes: Int, coresPerNode: Int) -> HostSnapshot {
        var cpus: [CPUInfo] = []
        let total = nodes * coresPerNode
        for t in 0..<2 {
            for c in 0..<total {
                let node = c / coresPerNode
                cpus.append(CPUInfo(
                    id: t * total + c, package: node / 2, core: c, node: node,
                    threadSiblings: CPUSet([c, total + c]), l3: node * coresPerNode + (c % coresPerNode) / 8 * 8))
            }
        }
        cpus.sort { $0.id < $1.id }
        let nodeList = (0..<nodes).map { n in
            NUMANode(
                id: n, cpus: CPUSet(cpus.filter { $0.node == n }.map(\.id)), memoryBytes: 256 << 30, freeBytes: 240 << 30,
                distances: (0..<nodes).map { $0 == n ? 10 : ($0 / 2 == n / 2 ? 12 : 32) },
                hugepages: [HugepagePool(sizeBytes: 2 << 20, total: 0, free: 0), HugepagePool(sizeBytes: 1 << 30, total: 0, free: 0)])
        }
        return HostSnapshot(hostname: "bench", topology: Topology(cpus: cpus, nodes: nodeList))
    }

    /// `services` services of 2–6 CPUs (some pinned to a node, some shared)
    /// and `enclaves` Pisces enclaves of 32 CPUs.
    static func layout(services: Int, enclaves: Int, nodes: Int) -> HostLayout {
        var e: [EnclaveSpec] = []
        for i in 0..<enclaves {
            e.append(EnclaveSpec(
                name: "lwk\(i)", driver: .pisces, cpus: .count(CPURequest(count: 32)),
                memory: [MemoryRequest(size: .gib(16))], priority: 100))
        }
        var s: [ServiceSpec] = []
        for i in 0..<services {
            let cpus: CPUAmount = i % 5 == 4
                ? .shared
                : .count(CPURequest(count: 2 * (1 + i % 3), numa: i % 7 == 0 ? [i % nodes] : nil))
            s.append(ServiceSpec(
                name: "svc\(i)", units: ["svc\(i).service"], cpus: cpus, memory: MemoryLimits(max: .value(4 << 30)),
                cpuWeight: 100 + i % 50, priority: i % 10))
        }
        return HostLayout(
            file: "bench.yaml", metadata: LayoutMetadata(name: "bench"),
            host: HostReservation(cpus: .count(CPURequest(count: 4))), hugepages: [HugepageRequest(size: .mib(2), count: 1024)],
            enclaves: e, services: s)
    }

    static func run(arguments: [String]) {
        let shapes: [(String, Int, Int, Int, Int)] = [
            ("256 CPUs, 8 nodes, 60 services, 1 enclave", 8, 16, 60, 1),
            ("1,024 CPUs, 16 nodes, 250 services, 4 enclaves", 16, 32, 250, 4),
            ("2,048 CPUs, 32 nodes, 500 services, 8 enclaves", 32, 32, 500, 8),
            ("4,096 CPUs, 64 nodes, 1,000 services, 16 enclaves", 64, 32, 1000, 16),
        ]
        for (label, nodes, cores, services, enclaves) in shapes.prefix(arguments.first.flatMap(Int.init) ?? shapes.count) {
            let snapshot = host(nodes: nodes, coresPerNode: cores)
            let l = layout(services: services, enclaves: enclaves, nodes: nodes)
            var steps = 0
            let t = Measure.median(runs: 5) {
                let r = Planner(layout: l, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
                steps = r.plan?.steps.count ?? -1
                if r.plan == nil { print(DiagnosticFormatter.text(Array(r.diagnostics.prefix(3)))) }
            }
            print("plan \(label): median \(Measure.ms(t)) ms over 5 runs (\(steps) steps)")
        }
    }
}

enum Measure {
    static func median(runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[runs / 2]
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
}
