import Foundation
import SosplanCore

/// The Pisces user tools of the 2015+ generation as the 2018 Hobbes install
/// has them (briankoco/hobbes-venv @0950458 `guest-initramfs/opt/pisces/
/// linux_usr/`, "pis18"; research cokernels-upstream.md §7 for how they
/// behave when run): `pisces_load`, `pisces_launch`, `pisces_ctrl` (a link
/// to `pisces_add`, which has no CPU removal) and `pisces_shutdown`. They
/// print with printf (stdout; petlib's ERROR goes to stderr) and `exit(-1)`
/// on errors (status 255); per-item failures in pisces_ctrl are printed and
/// skipped, exit 0 (`pisces_add.c:127`).
enum PiscesTools {
    /// `pisces_load` (pis18 `pisces_load.c:14-26`): prints `Enclave Created: N`
    /// and exits with N (-1, i.e. 255, on failure). The pre-2015 tool printed
    /// the device path instead (pis @1336644 `linux_usr/pisces_load.c:50`).
    static func load(_ ctx: SimContext, _ args: [String]) -> Int32 {
        // pisces_load reads argv[1..3] unchecked: fewer arguments crash it.
        guard args.count >= 3 else { return 139 }
        let id: Int
        do { id = try PiscesKernel(ctx: ctx).load(kernel: args[0], initTask: args[1], cmdline: args[2]) } catch { id = -1 }
        ctx.print("Enclave Created: \(id)")
        return Int32(id)
    }

    /// `pisces_shutdown` → `pisces_teardown(id, 1, 1)` (pis18
    /// `pisces_shutdown.c:28-43`, `teardown.c:86-390`): caches the enclave's
    /// CPUs and memory from /proc, sends SHUTDOWN (a failure is printed and
    /// ignored, `:338-340`, so a LOADED enclave is freed too: cokernels-upstream.md §7.6),
    /// frees the enclave (result ignored, `:346-347`) and onlines what it
    /// cached (`:349-375`). It always exits 0.
    static func shutdown(_ ctx: SimContext, _ args: [String]) -> Int32 {
        guard let first = args.first else {
            ctx.print("Usage: pisces_shutdown <enclave_id>")
            return -1
        }
        let id = Int(atoi(first))
        let dev = "/dev/pisces-enclave\(id)"
        ctx.print("Shutting down Enclave (\(id))")
        ctx.print("Shutting down Enclave (\(dev))")
        ctx.print("Checking for assigned CPUs")
        guard let cpuText = ctx.read("/proc/pisces/enclave-\(id)/cpus") else {
            ctx.print("Error: Could not open CPU proc file")
            return 0
        }
        ctx.print("Checking for memory blocks")
        guard let memText = ctx.read("/proc/pisces/enclave-\(id)/memory") else {
            ctx.print("Error: Could not open MEM proc file")
            return 0
        }
        ctx.print("Checking for PCI Devices")
        let cpus = (try? PiscesFormat.parseCPUs(cpuText)) ?? []
        let ranges = (try? PiscesFormat.parseMemory(memText)) ?? []
        ctx.print("Sending shutdown command to enclave")
        let kernel = PiscesKernel(ctx: ctx)
        guard ctx.exists(dev) else {
            ctx.print("Error opening enclave control channel (\(dev))")
            return 0
        }
        do { try kernel.shutdown(id) } catch { ctx.print("Error: Could not SHUTDOWN pisces") }
        ctx.print("Freeing enclave")
        try? kernel.free(id)
        // A fault here stands for the tool dying before it onlines anything.
        do { try ctx.injected("online") } catch { return 137 }
        ctx.print("Onlining Resources")
        for cpu in cpus {
            ctx.print("Onlining CPU \(cpu)")
            try? ctx.setCPU(cpu, online: true)
        }
        for range in ranges {
            for block in range.blocks(blockSize: ctx.state.blockSize) {
                ctx.print("Onlining MEM block: \(block)")
                try? ctx.setBlock(block, online: true)
            }
        }
        return 0
    }
}
