import Foundation
import SosplanCore

/// The Pisces user tools: `pisces_load` and `pisces_launch` (pis18),
/// `pisces_ctrl` (pis:linux_usr/pisces_ctrl.c, the version with
/// `-r/--remove`) and `pisces_shutdown` (pis:linux_usr/pisces_shutdown.c).
/// They print with printf (stdout) and `exit(-1)` on errors (status 255);
/// per-item failures in pisces_ctrl are printed and skipped, exit 0.
enum PiscesTools {
    static func load(_ ctx: SimContext, _ args: [String]) -> Int32 {
        // pisces_load reads argv[1..3] unchecked: fewer arguments crash it.
        guard args.count >= 3 else { return 139 }
        let id: Int
        do { id = try PiscesKernel(ctx: ctx).load(kernel: args[0], initTask: args[1], cmdline: args[2]) } catch { id = -1 }
        ctx.print("Enclave Created: \(id)")
        return Int32(id)
    }

    static func launch(_ ctx: SimContext, _ args: [String]) -> Int32 {
        let opts = GetOpt(
            program: "pisces_launch", optstring: "b:m:n:c:",
            longOptions: [
                .init(name: "block", hasArgument: true, letter: "b"), .init(name: "num-blocks", hasArgument: true, letter: "m"),
                .init(name: "numa", hasArgument: true, letter: "n"), .init(name: "cpu", hasArgument: true, letter: "c"),
            ]
        ).parse(args)
        let usage = "Usage: pisces_launch <enclave_dev_path>  [-b, --block=block_id]  [-m, --num-blocks=N]  [-c, --cpu=cpu_id]  [-n, --numa=numa_zone]"
        if let error = opts.error { ctx.printError(error) }
        guard opts.error == nil, opts.operands.count == 1 else {
            ctx.print(usage)
            return -1
        }
        let count = opts.value("m").map { Int(atoi($0)) } ?? 1
        guard count >= 1 else {
            ctx.print("Error: number of memory blocks (-m) must greater than 1")
            return -1
        }
        guard let id = PiscesKernel.id(fromPath: opts.operands[0]), ctx.exists("/dev/pisces-enclave\(id)") else {
            ctx.print("Invalid Enclave Requested (\(opts.operands[0]))")
            return -1
        }
        let numa = opts.value("n").map { Int(atoi($0)) } ?? -1
        let kernel = PiscesKernel(ctx: ctx)
        // Memory: the given contiguous blocks, else the first contiguous run.
        var first = opts.value("b").map { Int(atoi($0)) }
        if first == nil {
            let free = kernel.freeBlocks(node: numa)
            first = free.first { b in (0..<count).allSatisfy { free.contains(b + $0) } }
        }
        guard let base = first else {
            ctx.print("Error: Could not offline memory blocks")
            ctx.print("Error: Could not launch enclave \(id)")
            return -1
        }
        var offlined: [Int] = []
        for block in base..<(base + count) {
            let wasOnline = ctx.isBlockOnline(block) == true
            do { try kernel.offlineBlock(block) } catch {
                for b in offlined { try? ctx.setBlock(b, online: true) }
                ctx.print("Error: Could not offline memory blocks")
                ctx.print("Error: Could not launch enclave \(id)")
                return -1
            }
            if wasOnline { offlined.append(block) }
        }
        ctx.print("Memory blocks offlined: \(count)")
        var cpu = opts.value("c").map { Int(atoi($0)) }
        if cpu == nil {
            cpu = ctx.presentCPUs.first { c in
                c != 0 && ctx.isCPUOnline(c) && (numa < 0 || ctx.state.nodes.first { $0.cpus.contains(c) }?.id == numa)
            }
        }
        let cpuWasOnline = cpu.map { ctx.isCPUOnline($0) } ?? false
        guard let bootCPU = cpu, (try? kernel.offlineCPU(bootCPU)) != nil else {
            ctx.print(cpu.map { "Error offlining CPU \($0)" } ?? "Error: Could not offline boot CPU for enclave")
            for b in offlined { try? ctx.setBlock(b, online: true) }
            ctx.print("Error: Could not launch enclave \(id)")
            return -1
        }
        ctx.print("Launching Enclave (/dev/pisces-enclave\(id)) on CPU \(bootCPU)")
        do { try kernel.launch(id, cpu: bootCPU, range: kernel.blockRange(base, count: count)) } catch {
            // pis18 pisces_launch: ioctl_error onlines the CPU and the blocks again.
            ctx.print("Error launching enclave. Code=-1")
            if cpuWasOnline { try? ctx.setCPU(bootCPU, online: true) }
            for b in offlined { try? ctx.setBlock(b, online: true) }
            ctx.print("Error: Could not launch enclave \(id)")
            return -1
        }
        return 0
    }

    /// pisces_ctrl's getopt_long table (also read by `SimCallKind`). "e:" in
    /// the optstring: `-e` swallows the next word; only `--explicit` works.
    static let ctrlOptions = GetOpt(
        program: "pisces_ctrl", optstring: "m:c:n:e:r",
        longOptions: [
            .init(name: "mem", hasArgument: true, letter: "m"), .init(name: "cpu", hasArgument: true, letter: "c"),
            .init(name: "numa", hasArgument: true, letter: "n"), .init(name: "explicit", hasArgument: false, letter: "e"),
            .init(name: "remove", hasArgument: false, letter: "r"),
        ]
    )

    static func ctrl(_ ctx: SimContext, _ args: [String]) -> Int32 {
        let opts = ctrlOptions.parse(args)
        if let error = opts.error { ctx.printError(error) }
        guard opts.error == nil, opts.operands.count == 1 else {
            ctx.print("Usage: pisces_ctrl [options] <enclave_dev>\n [-m, --mem=blocks]\n [-c, --cpu=cores]\n [-n, --numa=numa_zone]\n [-e, --explicit]\n [-r, --remove: remove explicitly]")
            return -1
        }
        let path = opts.operands[0]
        guard let id = PiscesKernel.id(fromPath: path), ctx.exists("/dev/pisces-enclave\(id)") else {
            ctx.print("Error opening enclave control channel (\(path))")
            return -1
        }
        let remove = opts.has("r"), explicit = opts.has("e") || remove
        let numa = opts.value("n").map { Int(atoi($0)) } ?? -1
        let kernel = PiscesKernel(ctx: ctx)
        let bs = ctx.state.blockSize
        if let mem = opts.value("m") {
            if explicit {
                // The explicit path ignores --remove: it always adds.
                for item in mem.split(separator: ",", omittingEmptySubsequences: false) {
                    let block = Int(atoi(String(item)))
                    do { try kernel.offlineBlock(block) } catch {
                        ctx.print("Error: Could not offline memory block \(block)")
                        continue
                    }
                    do { try kernel.addMemory(id, kernel.blockRange(block, count: 1)) } catch {
                        ctx.print("Error: Could not add memory block \(block) to enclave")
                    }
                }
            } else {
                let free = kernel.freeBlocks(node: numa)
                let count = mem == "all" ? free.count : Int(atoi(mem))
                guard free.count >= count else {
                    ctx.print("Error: Could not allocate \(count) memory blocks")
                    return -1
                }
                for block in free.prefix(count) {
                    do { try kernel.offlineBlock(block) } catch {
                        ctx.print("Error: Could not allocate \(count) memory blocks")
                        return -1
                    }
                    ctx.print("Adding memory range (0x\(String(UInt64(block) * bs, radix: 16))) to enclave \(path)")
                    do { try kernel.addMemory(id, kernel.blockRange(block, count: 1)) } catch {
                        ctx.print("Error: Could not add memory block \(block) to enclave")
                    }
                }
            }
        }
        if let cpuText = opts.value("c") {
            if explicit {
                for item in cpuText.split(separator: ",", omittingEmptySubsequences: false) {
                    let cpu = Int(atoi(String(item)))
                    if remove {
                        do { try kernel.removeCPU(id, cpu) } catch {
                            ctx.print("Error: Could not remove CPU \(cpu) from enclave")
                        }
                        continue
                    }
                    do { try kernel.offlineCPU(cpu) } catch {
                        ctx.print("Error: Could not offline CPU \(cpu)")
                        continue
                    }
                    do { try kernel.addCPU(id, cpu) } catch {
                        ctx.print("Error: Could not add CPU \(cpu) to enclave")
                    }
                }
            } else {
                let count = Int(atoi(cpuText))
                let free = ctx.presentCPUs.filter { c in
                    c != 0 && ctx.isCPUOnline(c) && (numa < 0 || ctx.state.nodes.first { $0.cpus.contains(c) }?.id == numa)
                }
                guard free.count >= count else {
                    ctx.print("Error: Could not allocate \(count) CPUs")
                    return -1
                }
                for cpu in free.prefix(count) {
                    try? kernel.offlineCPU(cpu)
                    ctx.print("Adding CPU \(cpu) to enclave \(path)")
                    do { try kernel.addCPU(id, cpu) } catch { ctx.print("Error: Could not add CPU \(cpu) to enclave") }
                }
            }
        }
        return 0
    }

    /// Caches the enclave's resources from /proc, sends SHUTDOWN, frees the
    /// enclave (result ignored) and onlines what it cached.
    static func shutdown(_ ctx: SimContext, _ args: [String]) -> Int32 {
        guard let first = args.first else {
            ctx.print("Usage: pisces_shutdown <enclave_id>")
            return -1
        }
        let id = Int(atoi(first))
        let dev = "/dev/pisces-enclave\(id)"
        ctx.print("Shutting down Enclave (\(dev))")
        ctx.print("Checking for assigned CPUs")
        guard let cpuText = ctx.read("/proc/pisces/enclave-\(id)/cpus") else {
            ctx.print("Error: Could not open CPU proc file")
            return -1
        }
        ctx.print("Checking for memory blocks")
        guard let memText = ctx.read("/proc/pisces/enclave-\(id)/memory") else {
            ctx.print("Error: Could not open MEM proc file")
            return -1
        }
        ctx.print("Checking for PCI Devices")
        let cpus = (try? PiscesFormat.parseCPUs(cpuText)) ?? []
        let ranges = (try? PiscesFormat.parseMemory(memText)) ?? []
        ctx.print("Sending shutdown command to enclave")
        let kernel = PiscesKernel(ctx: ctx)
        guard ctx.exists(dev) else {
            ctx.print("Error opening enclave control channel (\(dev))")
            return -1
        }
        do { try kernel.shutdown(id) } catch {
            ctx.print("Error: Could not LAUNCH VM")  // sic: pisces_shutdown.c
            return -1
        }
        ctx.print("Freeing enclave")
        try? kernel.free(id)
        // A fault here stands for the tool dying before it onlines anything.
        do { try ctx.injected("online") } catch { return 137 }
        ctx.print("Onlining Resources")
        for cpu in cpus.reversed() {
            ctx.print("Onlining CPU \(cpu)")
            try? ctx.setCPU(cpu, online: true)
        }
        for range in ranges.reversed() {
            for block in range.blocks(blockSize: ctx.state.blockSize) {
                ctx.print("Onlining MEM block: \(block)")
                try? ctx.setBlock(block, online: true)
            }
        }
        return 0
    }
}
