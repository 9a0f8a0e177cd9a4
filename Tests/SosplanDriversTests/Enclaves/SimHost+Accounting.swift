import Foundation
import SosplanCore
import Testing

@testable import SosplanDrivers

/// The invariant every enclave test ends with: each CPU is online in Linux
/// or held by an instance or pool that a driver observes (and then offline);
/// each offline memory block belongs to an observed Pisces enclave; the
/// memory each node lost equals what the drivers report holding there; and
/// the simulator's own audit finds no hazard and nothing stranded.
extension SimHost {
    /// `sosplan-sim audit`: the simulator's view, independent of the drivers.
    func audit() throws -> [String] {
        try sim(["audit", "--root", root]).stdout.split(separator: "\n").map(String.init)
    }

    func accountingProblems() throws -> [String] {
        try sim(["sync", "--root", root])
        // What the IHK pool holds is owned (observe reports it); the rest of the audit is not.
        var problems = try audit().filter { !$0.hasPrefix("the IHK pool withholds") }
        var owned = CPUSet()
        var heldBytes: [Int: UInt64] = [:]
        var offlineOwnedBlocks = Set<Int>()
        let blockSize = hotplug.memoryBlockSize() ?? 1
        for driver in EnclaveDrivers.available(configuration: configuration, stateDirectory: state) {
            let o = try driver.observeEnclaves()
            for i in o.instances {
                if !owned.isDisjoint(with: i.cpus) { problems.append("CPUs \(owned.intersection(i.cpus)) have two owners") }
                owned.formUnion(i.cpus)
                for c in i.memory { heldBytes[c.node, default: 0] += c.bytes }
                if driver.driver == .pisces, let id = Int(i.instance) {
                    let ranges = try pisces.read(id).memory
                    for r in ranges { offlineOwnedBlocks.formUnion(r.blocks(blockSize: blockSize)) }
                }
            }
            if let pool = o.pool {
                owned.formUnion(pool.cpus)
                for c in pool.memory { heldBytes[c.node, default: 0] += c.bytes }
            }
        }
        let online = hotplug.onlineCPUs()
        for cpu in hotplug.presentCPUs() {
            if !online.contains(cpu) && !owned.contains(cpu) { problems.append("CPU \(cpu) is offline and nobody holds it") }
            if online.contains(cpu) && owned.contains(cpu) { problems.append("CPU \(cpu) is held by a co-kernel but online in Linux") }
        }
        for block in hotplug.memoryBlocks() where !block.online && !offlineOwnedBlocks.contains(block.id) {
            problems.append("memory block \(block.id) is offline and nobody holds it")
        }
        for (node, lost) in try memoryLostPerNode() where lost != heldBytes[node, default: 0] {
            problems.append("node \(node) lost \(lost) bytes but the drivers report \(heldBytes[node, default: 0])")
        }
        return problems
    }

    /// Base free memory (at install) minus MemFree now, per node.
    func memoryLostPerNode() throws -> [Int: UInt64] {
        let state = try JSONParser.parse(read("/.sosplan-sim/state.json") ?? "")
        guard case .array(let nodes)? = state["nodes"] else { return [:] }
        var lost: [Int: UInt64] = [:]
        for node in nodes {
            guard case .int(let id)? = node["id"] else { continue }
            let base: UInt64
            switch node["baseFree"] {
            case .int(let v)?: base = UInt64(v)
            case .uint(let v)?: base = v
            default: continue
            }
            let info = read("/sys/devices/system/node/node\(id)/meminfo") ?? ""
            let free = info.split(separator: "\n").first { $0.contains("MemFree:") }
                .flatMap { $0.split(separator: " ").dropLast().last }.flatMap { UInt64($0) } ?? 0
            lost[Int(id)] = base - free * 1024
        }
        return lost
    }

    /// Records an issue for every accounting problem.
    func expectAccounted(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try accountingProblems()
        #expect(problems.isEmpty, "\(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    /// Linux has everything back: accounted, no co-kernel instance or pool
    /// holds anything, every CPU and memory block is online.
    func expectAllReturned(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problems = try accountingProblems() + (try audit().filter { $0.hasPrefix("the IHK pool withholds") })
        #expect(problems.isEmpty, "\(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
        #expect(onlineCPUs() == hotplug.presentCPUs(), sourceLocation: sourceLocation)
        #expect(hotplug.memoryBlocks().allSatisfy { $0.online }, sourceLocation: sourceLocation)
        let lost = try memoryLostPerNode().filter { $0.value != 0 }
        #expect(lost.isEmpty, "memory still withheld per node: \(lost)", sourceLocation: sourceLocation)
    }
}
