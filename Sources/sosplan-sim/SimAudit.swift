import Foundation
import SosplanCore

/// `sosplan-sim audit (--root DIR | --tools DIR)`: what the simulated
/// kernels hold that Linux lost and nobody can give back, from the
/// simulator's own state (not from any driver): one line per problem,
/// exit 1 when there is any.
///
/// - hazards recorded (`hazards.log`, see `SimContext.hazard`);
/// - CPUs offline in Linux that no co-kernel holds (not in the IHK pool or
///   an IHK OS, not Kitten's in a Pisces enclave, not an mOS LWK CPU, and
///   not offline since installation);
/// - CPUs and memory a destroyed, never-booted IHK OS stranded;
/// - what the IHK pool withholds (reserved for no OS) — reported, since a
///   test that ends with nothing running expects the pool empty;
/// - memory blocks offline that no Pisces enclave lists.
enum SimAudit {
    static func problems(_ ctx: SimContext) -> [String] {
        var out: [String] = []
        let hazards = (try? String(contentsOfFile: ctx.root + SimStore.directory + "/hazards.log", encoding: .utf8)) ?? ""
        out += hazards.split(separator: "\n").map { "hazard: \($0)" }
        var owned = Set(ctx.state.initiallyOffline)
        if let ihk = ctx.state.ihk {
            owned.formUnion(ihk.poolCPUs)
            owned.formUnion(ihk.oses.flatMap(\.cpus))
            if !ihk.strandedCPUs.isEmpty {
                out.append("CPUs \(CPUSet(ihk.strandedCPUs)) are stranded in destroyed IHK OSes that never booted (reload ihk-smp to free them)")
            }
            if !ihk.strandedMemory.isEmpty {
                out.append("memory \(describe(ihk.strandedMemory)) is stranded in destroyed IHK OSes that never booted")
            }
            if !ihk.poolCPUs.isEmpty { out.append("the IHK pool withholds CPUs \(CPUSet(ihk.poolCPUs))") }
            if !ihk.poolMemory.isEmpty { out.append("the IHK pool withholds memory \(describe(ihk.poolMemory))") }
        }
        var listedBlocks = Set<Int>()
        if let pisces = ctx.state.pisces {
            for e in pisces.enclaves {
                owned.formUnion(e.kittenCPUs)
                for r in e.memory { listedBlocks.formUnion(r.blocks(blockSize: ctx.state.blockSize)) }
            }
        }
        if let mos = ctx.state.mos { owned.formUnion(mos.lwkCPUs) }
        let lost = ctx.presentCPUs.filter { !ctx.isCPUOnline($0) && !owned.contains($0) }
        if !lost.isEmpty { out.append("CPUs \(CPUSet(lost)) are offline in Linux and no co-kernel holds them") }
        let blocks = ctx.memoryBlockIDs.filter { ctx.isBlockOnline($0) == false && !listedBlocks.contains($0) }
        if !blocks.isEmpty { out.append("memory blocks \(blocks) are offline and no Pisces enclave lists them") }
        return out
    }

    static func describe(_ chunks: [SimChunk]) -> String {
        chunks.map { "\($0.bytes)@\($0.node)" }.joined(separator: ",")
    }

    static func command(_ args: [String]) throws -> Int32 {
        let (root, rest) = try SimCommandLine.rootOption(args)
        guard rest.isEmpty else { throw SimStore.SimError(description: "audit takes no options besides --root/--tools") }
        var found: [String] = []
        try SimCommandLine.withContext(root) { ctx in found = problems(ctx) }
        for line in found { print(line) }
        return found.isEmpty ? 0 : 1
    }
}
