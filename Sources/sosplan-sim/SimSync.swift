import Foundation
import SosplanCore

/// Rewrites the files a kernel derives from its state, so every reader of
/// the simulated root sees one consistent host: `cpu/online|offline`,
/// `memoryN/online`, node and system `meminfo`, `/dev/mcosN`,
/// `/proc/pisces/enclave-N/*`, `/sys/kernel/mOS/*`. Drivers that write a
/// hotplug file directly (Pisces) see the aggregates catch up at the next
/// tool run or `sosplan-sim sync`.
enum SimSync {
    static func sync(_ ctx: SimContext) {
        syncCPUs(ctx)
        syncMemory(ctx)
        if let ihk = ctx.state.ihk { syncIHK(ctx, ihk) }
        if let pisces = ctx.state.pisces { syncPisces(ctx, pisces) }
        if let mos = ctx.state.mos { syncMOS(ctx, mos) }
    }

    static func syncCPUs(_ ctx: SimContext) {
        let present = ctx.presentCPUs
        let online = CPUSet(present.filter { ctx.isCPUOnline($0) })
        ctx.write("/sys/devices/system/cpu/online", "\(online)\n")
        ctx.write("/sys/devices/system/cpu/offline", "\(CPUSet(present).subtracting(online))\n")
    }

    static func syncMemory(_ ctx: SimContext) {
        var offlineBlocks: [Int: UInt64] = [:]
        for id in ctx.memoryBlockIDs {
            guard let online = ctx.isBlockOnline(id) else { continue }
            ctx.write(ctx.blockDir(id) + "/online", online ? "1\n" : "0\n")
            if !online, let node = ctx.blockNode(id) { offlineBlocks[node, default: 0] += 1 }
        }
        var totalSum: UInt64 = 0, freeSum: UInt64 = 0
        for node in ctx.state.nodes {
            let removed = (offlineBlocks[node.id] ?? 0) * ctx.state.blockSize
            let taken = SimMemory.takenByCoKernels(ctx, node: node.id)
            let total = node.baseTotal > removed ? node.baseTotal - removed : 0
            let used = removed + taken
            let free = node.baseFree > used ? node.baseFree - used : 0
            totalSum += total
            freeSum += free
            let file = "/sys/devices/system/node/node\(node.id)/meminfo"
            var lines = (ctx.read(file) ?? "").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            set(&lines, key: "Node \(node.id) MemTotal:", kb: total / 1024)
            set(&lines, key: "Node \(node.id) MemFree:", kb: free / 1024)
            set(&lines, key: "Node \(node.id) MemUsed:", kb: (total > free ? total - free : 0) / 1024)
            ctx.write(file, lines.joined(separator: "\n") + "\n")
        }
        var lines = (ctx.read("/proc/meminfo") ?? "").split(separator: "\n", omittingEmptySubsequences: true)
            .map(String.init)
        set(&lines, key: "MemTotal:", kb: totalSum / 1024)
        set(&lines, key: "MemFree:", kb: freeSum / 1024)
        ctx.write("/proc/meminfo", lines.joined(separator: "\n") + "\n")
    }

    /// Replaces (or appends) `key   N kB`, keeping the kernel's alignment.
    static func set(_ lines: inout [String], key: String, kb: UInt64) {
        let number = String(kb)
        let line = key + String(repeating: " ", count: max(1, 24 - key.count - number.count)) + number + " kB"
        if let i = lines.firstIndex(where: { $0.hasPrefix(key) }) { lines[i] = line } else { lines.append(line) }
    }

    static func syncIHK(_ ctx: SimContext, _ ihk: IHKDeviceState) {
        let wanted = Set(ihk.oses.map(\.index))
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: ctx.path("/dev"))) ?? [])
            .compactMap { $0.hasPrefix("mcos") ? Int($0.dropFirst(4)) : nil }
        for index in existing where !wanted.contains(index) { ctx.remove("/dev/mcos\(index)") }
        // A new /dev/mcosN is root's, 0600, until someone chowns it (mcreboot, `:437`).
        for index in wanted where !existing.contains(index) {
            ctx.write("/dev/mcos\(index)", "")
            chmod(ctx.path("/dev/mcos\(index)"), 0o600)
        }
    }

    static func syncPisces(_ ctx: SimContext, _ pisces: PiscesState) {
        let wanted = Set(pisces.enclaves.map(\.id))
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: ctx.path("/proc/pisces"))) ?? [])
            .compactMap { $0.hasPrefix("enclave-") ? Int($0.dropFirst(8)) : nil }
        for id in existing where !wanted.contains(id) {
            ctx.remove("/proc/pisces/enclave-\(id)")
            ctx.remove("/dev/pisces-enclave\(id)")
        }
        for e in pisces.enclaves {
            ctx.write("/proc/pisces/enclave-\(e.id)/cpus", PiscesFormat.formatCPUs(e.cpus))
            ctx.write("/proc/pisces/enclave-\(e.id)/memory", PiscesFormat.formatMemory(e.memory))
            ctx.write("/proc/pisces/enclave-\(e.id)/pci", PiscesFormat.emptyPCI)
            ctx.write("/dev/pisces-enclave\(e.id)", "")
        }
    }

    static func syncMOS(_ ctx: SimContext, _ state: MOSState) {
        var mos = state
        mos.jobs = liveJobs(mos.jobs)
        if mos.jobs != state.jobs { ctx.state.mos = mos }
        let base = "/sys/kernel/mOS/"
        let lwk = CPUSet(mos.lwkCPUs)
        ctx.write(base + "version", mos.version + "\n")
        ctx.write(base + "lwkcpus", "\(lwk)\n")
        ctx.write(base + "lwkcpus_mask", hexMask(lwk) + "\n")
        ctx.write(base + "utility_cpus", "\(CPUSet(mos.utilityCPUs))\n")
        ctx.write(base + "lwkcpus_reserved", "\(mos.reserved)\n")
        var perNode = mos.lwkmem
        if perNode.count < ctx.state.nodes.count { perNode += Array(repeating: 0, count: ctx.state.nodes.count - perNode.count) }
        ctx.write(base + "lwkmem", MOSFormat.formatLWKMem(perNode))
        ctx.write(base + "lwkmem_reserved", MOSFormat.formatLWKMem(perNode.map { _ in 0 }))
        ctx.write(base + "lwk_config", mos.config + "\n")
        ctx.write(base + "ras/jobid", mos.jobid + "\n")
        ctx.write(base + "lwkgpus", "\n")
    }

    /// yod jobs whose yod or job process still lives.
    static func liveJobs(_ jobs: [MOSJob]) -> [MOSJob] {
        jobs.filter { YodJob.alive($0.pid) || $0.childPid.map(YodJob.alive) == true }
    }

    /// Comma-separated 32-bit hex words, most significant first (sysfs masks).
    static func hexMask(_ set: CPUSet) -> String {
        guard let last = set.last else { return "0" }
        var words: [String] = []
        for w in stride(from: last / 32, through: 0, by: -1) {
            var value: UInt32 = 0
            for bit in 0..<32 where set.contains(w * 32 + bit) { value |= 1 << UInt32(bit) }
            let hex = String(value, radix: 16)
            words.append(words.isEmpty ? hex : String(repeating: "0", count: 8 - hex.count) + hex)
        }
        return words.joined(separator: ",")
    }
}

/// Memory the co-kernels hold per node (for meminfo and reservations).
enum SimMemory {
    /// IHK reservations (pool and OSes; taken from the buddy allocator) and
    /// mOS LWK memory on `node`. Pisces memory leaves as offline blocks.
    static func takenByCoKernels(_ ctx: SimContext, node: Int) -> UInt64 {
        var taken: UInt64 = 0
        if let ihk = ctx.state.ihk {
            let held = ihk.poolMemory + ihk.oses.flatMap(\.memory) + ihk.strandedMemory
            taken += held.filter { $0.node == node }.reduce(0) { $0 + $1.bytes }
        }
        if let mos = ctx.state.mos, node < mos.lwkmem.count { taken += mos.lwkmem[node] }
        return taken
    }

    /// What is still free on `node` for a co-kernel to take.
    static func free(_ ctx: SimContext, node: Int) -> UInt64 {
        guard let n = ctx.state.nodes.first(where: { $0.id == node }) else { return 0 }
        let offline = UInt64(ctx.memoryBlockIDs.filter { ctx.blockNode($0) == node && ctx.isBlockOnline($0) == false }.count)
        let used = offline * ctx.state.blockSize + takenByCoKernels(ctx, node: node)
        return n.baseFree > used ? n.baseFree - used : 0
    }
}
