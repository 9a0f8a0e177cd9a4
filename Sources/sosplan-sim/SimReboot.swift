import Foundation
import SosplanCore

/// `sosplan-sim reboot`: what a real reboot makes the kernel forget. Every
/// hot-pluggable CPU and every memory block comes back online, hugepage
/// pools (per node and system-wide) are empty, and the co-kernels start
/// empty: no IHK reservations or OS instances (so no /dev/mcos*), no
/// Pisces enclaves (their CPUs and blocks are online again), no mOS
/// partition. The caller resyncs the derived files.
///
/// Kept, as on a real host: the installed tools and sosplan-sim.json (the
/// disk), the simulator's settings, the call log, and the faults with what
/// they changed (a CPU that refuses to go offline still has no `online`
/// file, a fragmented node's blocks stay unremovable, an active mOS job is
/// still reported), because they stand for hardware and tool behaviour;
/// `fault clear` removes them. Module loading is not simulated, so
/// /proc/modules and /dev/mcd0, /dev/pisces stay as installed.
enum SimReboot {
    static func run(_ ctx: SimContext) {
        for cpu in ctx.presentCPUs where ctx.exists(ctx.cpuDir(cpu) + "/online") {
            ctx.write(ctx.cpuDir(cpu) + "/online", "1\n")
        }
        for id in ctx.memoryBlockIDs where ctx.isBlockOnline(id) != nil {
            ctx.write(ctx.blockDir(id) + "/state", "online\n")
            ctx.write(ctx.blockDir(id) + "/online", "1\n")
        }
        emptyHugepagePools(ctx)
        if let old = ctx.state.ihk {
            // Reloading the modules frees what destroyed OSes stranded; the build stays.
            var fresh = IHKDeviceState()
            fresh.buildID = old.buildID
            fresh.compactedAt = old.compactedAt
            fresh.cachesDroppedAt = old.cachesDroppedAt
            ctx.state.ihk = fresh
        }
        if ctx.state.pisces != nil { ctx.state.pisces = PiscesState() }
        if let old = ctx.state.mos {
            var fresh = MOSState()
            fresh.version = old.version
            // A mos-job fault outlives the reboot like every other fault.
            for f in ctx.faults where f.kind == "mos-job" {
                fresh.jobid = f.jobid ?? ""
                if let list = f.cpus, let set = try? CPUSet(lenientList: list) { fresh.reservedCPUs = set.sorted }
            }
            ctx.state.mos = fresh
        }
        ctx.state.initiallyOffline = []
        // A new boot, a new boot id (what tells a reconcile the kernel forgot).
        ctx.write("/proc/sys/kernel/random/boot_id", UUID().uuidString.lowercased() + "\n")
        ctx.log("reboot: all CPUs and memory online, hugepage pools empty, co-kernel state cleared")
    }

    /// `hugepages-<kB>kB/{nr,free,surplus,resv}_hugepages` under every node
    /// and under /sys/kernel/mm, plus the HugePages_* lines of meminfo.
    static func emptyHugepagePools(_ ctx: SimContext) {
        var dirs = ["/sys/kernel/mm/hugepages"]
        let nodeDir = "/sys/devices/system/node"
        for name in list(ctx, nodeDir) where name.hasPrefix("node") && Int(name.dropFirst(4)) != nil {
            dirs.append("\(nodeDir)/\(name)/hugepages")
        }
        for dir in dirs {
            for pool in list(ctx, dir) where pool.hasPrefix("hugepages-") {
                for file in ["nr_hugepages", "free_hugepages", "surplus_hugepages", "resv_hugepages", "nr_overcommit_hugepages"]
                where ctx.exists("\(dir)/\(pool)/\(file)") {
                    ctx.write("\(dir)/\(pool)/\(file)", "0\n")
                }
            }
        }
        var meminfos = ["/proc/meminfo"]
        for name in list(ctx, nodeDir) where name.hasPrefix("node") && Int(name.dropFirst(4)) != nil {
            meminfos.append("\(nodeDir)/\(name)/meminfo")
        }
        for file in meminfos {
            guard let text = ctx.read(file) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                guard line.contains("HugePages_"), let last = line.split(separator: " ").last, UInt64(last) != nil else {
                    return String(line)
                }
                // Keep the kernel's right alignment of the number.
                let head = line.dropLast(last.count)
                return head + String(repeating: " ", count: max(0, last.count - 1)) + "0"
            }
            ctx.write(file, lines.joined(separator: "\n"))
        }
    }

    static func list(_ ctx: SimContext, _ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: ctx.path(dir))) ?? []).sorted()
    }
}
