import SosplanCore

/// Random but plausible layouts for a given host, for property-based planner
/// tests: demands stay mostly within the host so most plans succeed, but
/// shortages, NUMA constraints and elastic ranges all occur.
public struct RandomLayouts {
    public var rng: SeededRandom

    public init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    public mutating func layout(for snapshot: HostSnapshot, name: String = "random") -> HostLayout {
        let topology = snapshot.topology
        let online = topology.onlineCPUs.count
        let nodes = topology.nodes.map(\.id)
        let threads = TopologyIndex(topology).maxThreadsPerCore
        let policy = LayoutPolicy(
            topology: rng.pick(LayoutPolicy.Topology.allCases), smt: rng.chance(0.6) ? .wholeCores : .threads,
            disruption: rng.chance(0.5) ? .allow : .defer)
        let step = policy.smt == .wholeCores ? threads : 1
        var budget = max(online * 3 / 4, step)
        func count(_ maxUnits: Int) -> Int {
            let units = max(min(maxUnits, budget / step), 1)
            let c = rng.int(1...units) * step
            budget -= c
            return c
        }
        // The smallest node's CPUs: what a request pinned to one node can get.
        let nodeSize = max(topology.nodes.map { $0.cpus.intersection(topology.onlineCPUs).count }.min() ?? online, step)
        func request(_ c: Int) -> CPUAmount {
            var c = c
            var numa: [Int]? = nil
            if rng.chance(0.25), let n = nodes.randomElement(using: &rng) { numa = [n] }
            if numa != nil || policy.topology == .singleNUMANode {
                c = max(min(c, nodeSize / 2 / step * step), step)
            }
            let elastic = rng.chance(0.3)
            return .count(CPURequest(
                count: c, numa: numa, min: elastic ? max(step, c - step) : nil, max: elastic ? c + 2 * step : nil))
        }
        let host = HostReservation(cpus: .count(CPURequest(count: rng.int(1...2))), memory: .gib(1), confine: rng.chance(0.8))
        var enclaves: [EnclaveSpec] = []
        var drivers: [EnclaveDriverKind] = [.pisces, .pisces, .mckernel, .mos]
        for i in 0..<rng.int(0...2) where budget >= step && !drivers.isEmpty {
            let driver = drivers.remove(at: rng.int(0...(drivers.count - 1)))
            let memNode: Int? = rng.chance(0.3) ? nodes.randomElement(using: &rng) : nil
            enclaves.append(EnclaveSpec(
                name: "lwk\(i)", driver: driver, args: driver == .mckernel ? "hidos" : nil,
                cpus: request(count(max(online / 4 / step, 1))), memory: [MemoryRequest(size: .gib(UInt64(rng.int(1...2))), numa: memNode)],
                priority: rng.int(0...100)))
        }
        var services: [ServiceSpec] = []
        for i in 0..<rng.int(1...5) {
            let stackRoll = rng.int(0...9)
            if stackRoll == 0, let e = enclaves.first, e.cpus.nominal >= step {
                services.append(ServiceSpec(
                    name: "app\(i)", stack: .enclave(e.name), exec: ["/opt/app\(i)"],
                    cpus: .count(CPURequest(count: step)), priority: rng.int(0...100)))
            } else if stackRoll <= 3 || budget < step {
                services.append(ServiceSpec(name: "svc\(i)", units: ["svc\(i).service"], cpus: .shared, priority: rng.int(0...100)))
            } else {
                services.append(ServiceSpec(
                    name: "svc\(i)", units: ["svc\(i).service"], exec: rng.chance(0.3) ? ["/usr/bin/svc\(i)"] : nil,
                    cpus: request(count(max(online / 4 / step, 1))), memory: MemoryLimits(max: .value(1 << 30)),
                    cpuWeight: rng.chance(0.5) ? rng.int(1...1000) : nil, priority: rng.int(0...100)))
            }
        }
        return HostLayout(
            file: "\(name).yaml", metadata: LayoutMetadata(name: name), policy: policy, host: host,
            enclaves: enclaves, services: services)
    }
}
