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
    static func layout(services: Int, enclaves: Int, nodes: Int, policy: LayoutPolicy = LayoutPolicy()) -> HostLayout {
        var e: [EnclaveSpec] = []
        for i in 0..<enclaves {
            e.append(EnclaveSpec(
                name: "lwk\(i)", driver: .pisces, cpus: .count(CPURequest(count: 32)),
                memory: [MemoryRequest(size: .gib(2))], priority: 100))
        }
        var s: [ServiceSpec] = []
        for i in 0..<services {
            let cpus: CPUAmount = i % 5 == 4
                ? .shared
                : i % 7 == 0
                    ? .count(CPURequest(count: 2, numa: [nodes > 1 ? 1 + i % (nodes - 1) : 0]))  // node 0 holds the host
                    : .count(CPURequest(count: 2 * (1 + i % 3)))
            s.append(ServiceSpec(
                name: "svc\(i)", units: ["svc\(i).service"], cpus: cpus, memory: MemoryLimits(max: .value(4 << 30)),
                cpuWeight: 100 + i % 50, priority: i % 10))
        }
        return HostLayout(
            file: "bench.yaml", metadata: LayoutMetadata(name: "bench"), policy: policy,
            host: HostReservation(cpus: .count(CPURequest(count: 4))), hugepages: [HugepageRequest(size: .mib(2), count: 1024)],
            enclaves: e, services: s)
    }

    /// One benchmark per host size, to show how planning time grows.
    static let benchmarks: [Benchmark] = [
        shape("plan-256", nodes: 8, coresPerNode: 16, services: 60, enclaves: 1),
        shape("plan-1024", nodes: 16, coresPerNode: 32, services: 250, enclaves: 4),
        shape("plan-2048", nodes: 32, coresPerNode: 32, services: 500, enclaves: 8),
        shape("plan-4096", nodes: 64, coresPerNode: 32, services: 1000, enclaves: 16),
    ]

    static func shape(_ name: String, nodes: Int, coresPerNode: Int, services: Int, enclaves: Int) -> Benchmark {
        Benchmark(
            name: name,
            about: "plan \(nodes * coresPerNode * 2) CPUs, \(nodes) nodes, \(services) services, \(enclaves) enclaves", defaultRuns: 5
        ) {
            let snapshot = host(nodes: nodes, coresPerNode: coresPerNode)
            let l = layout(services: services, enclaves: enclaves, nodes: nodes)
            let check = Planner(layout: l, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
            precondition(check.plan != nil, "benchmark layout must fit:\n" + DiagnosticFormatter.text(check.diagnostics))
            FileHandle.standardError.write(Data("\(name): \(check.plan!.steps.count) steps\n".utf8))
            return { consume(Planner(layout: l, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()) }
        }
    }
}
