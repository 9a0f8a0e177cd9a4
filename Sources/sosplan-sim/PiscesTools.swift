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

    /// `pisces_launch` (pis18 `pisces_launch.c:30-93`) → `pisces_launch()` (pis18
    /// `pisces.c:72-208`).
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
        let bs = ctx.state.blockSize
        var offlined: [Int] = []
        func undo() { for b in offlined { try? ctx.setBlock(b, online: true) } }
        let base: Int
        if let b = opts.value("b") {
            // `base_addr` is an `int` (`pisces_launch.c:36`, `:63`): the block's
            // address wraps at 32 bits, so a block past 2 GiB names another block
            // or a negative address (cokernels-upstream.md §7.1).
            let addr = Int32(truncatingIfNeeded: Int64(atoi(b)) &* Int64(bs))
            let block = addr >= 0 ? Int(UInt64(addr) / bs) : -1
            // RSVD or INVALID blocks are refused; offline ones taken as they are (`pisces.c:123-140`).
            guard block >= 0, ctx.isBlockOnline(block) != nil, ctx.isBlockOnline(block) == false || ctx.isBlockRemovable(block)
            else {
                ctx.printError("Invalid Block specified as boot memory")
                ctx.print("Error: Could not launch enclave \(id)")
                return -1
            }
            if ctx.isBlockOnline(block) == true {
                guard (try? kernel.offlineBlock(block)) != nil else {
                    ctx.printError("Error offlining block \(block)")
                    ctx.print("Error: Could not launch enclave \(id)")
                    return -1
                }
                offlined.append(block)
            }
            base = block
        } else {
            // `pet_offline_contig_blocks(num_blocks, numa_zone, 2 MiB, ...)` (`pisces.c:106`).
            let free = kernel.freeBlocks(node: numa)
            guard let first = free.first(where: { b in (0..<count).allSatisfy { free.contains(b + $0) } }) else {
                ctx.print("Error: Could not offline \(count) contiguous memory blocks for enclave")
                ctx.print("Error: Could not launch enclave \(id)")
                return -1
            }
            for block in first..<(first + count) {
                try? kernel.offlineBlock(block)
                offlined.append(block)
            }
            base = first
        }
        ctx.print("Memory blocks offlined: \(count)")
        var cpu = opts.value("c").map { Int(atoi($0)) }
        if cpu == nil {
            // `pet_offline_cpus(1, numa_zone, ...)` (`pisces.c:153-162`).
            cpu = ctx.presentCPUs.first { c in
                c != 0 && ctx.isCPUOnline(c) && (numa < 0 || ctx.state.nodes.first { $0.cpus.contains(c) }?.id == numa)
            }
            guard let c = cpu, (try? kernel.offlineCPU(c)) != nil else {
                ctx.print("Error: Could not offline boot CPU for enclave")
                undo()
                ctx.print("Error: Could not launch enclave \(id)")
                return -1
            }
        } else if let c = cpu {
            // An offline CPU is taken as it is; RSVD/INVALID refused (`pisces.c:164-180`).
            guard ctx.isCPUPresent(c), ctx.exists(ctx.cpuDir(c) + "/online") else {
                ctx.printError("Invalid CPU (\(c)) specified as the boot CPU")
                undo()
                ctx.print("Error: Could not launch enclave \(id)")
                return -1
            }
            if ctx.isCPUOnline(c) {
                guard (try? kernel.offlineCPU(c)) != nil else {
                    ctx.print("Error offlining CPU \(c)")
                    undo()
                    ctx.print("Error: Could not launch enclave \(id)")
                    return -1
                }
            }
        }
        let bootCPU = cpu!
        ctx.print("Launching Enclave (/dev/pisces-enclave\(id)) on CPU \(bootCPU)")
        do { try kernel.launch(id, cpu: bootCPU, range: kernel.blockRange(base, count: count)) } catch {
            // ioctl_error: online the CPU and the blocks again (`pisces.c:199-201`).
            ctx.print("Error launching enclave. Code=-1")
            try? ctx.setCPU(bootCPU, online: true)
            for b in base..<(base + count) { try? ctx.setBlock(b, online: true) }
            ctx.print("Error: Could not launch enclave \(id)")
            return -1
        }
        return 0
    }

    /// pisces_ctrl's getopt_long table (pis18 `pisces_add.c:46-54`; also read
    /// by `SimCallKind`): no `-r/--remove` since pis @95f6029 (2015-01-22),
    /// so a removal is a usage error. "e:" in the optstring: `-e` swallows
    /// the next word; only `--explicit` works.
    static let ctrlOptions = GetOpt(
        program: "pisces_ctrl", optstring: "m:c:n:e:",
        longOptions: [
            .init(name: "mem", hasArgument: true, letter: "m"), .init(name: "cpu", hasArgument: true, letter: "c"),
            .init(name: "numa", hasArgument: true, letter: "n"), .init(name: "explicit", hasArgument: false, letter: "e"),
        ]
    )

    /// `pisces_ctrl` (pis18 `pisces_add.c:33-128`, adding through pis18
    /// `pisces_ctrl.c`). Explicit adds offline each CPU or block first and
    /// refuse one that is not online (cokernels-upstream.md §7.2); when Kitten refuses
    /// it, the CPU or block goes online again (`pisces_ctrl.c:141-145`,
    /// `:222-226`) while the module keeps it listed (`PiscesKernel`).
    static func ctrl(_ ctx: SimContext, _ args: [String]) -> Int32 {
        let opts = ctrlOptions.parse(args)
        if let error = opts.error { ctx.printError(error) }
        guard opts.error == nil, opts.operands.count == 1 else {
            ctx.print("Usage: pisces_ctrl [options] <enclave_dev>\n [-m, --mem=blocks]\n [-c, --cpu=cores]\n [-n, --numa=numa_zone]\n [-e, --explicit]")
            return -1
        }
        let path = opts.operands[0]
        guard let id = PiscesKernel.id(fromPath: path), ctx.exists("/dev/pisces-enclave\(id)") else {
            ctx.printError("Error opening enclave control channel (Pisces Enclave: \(path))")
            return 0
        }
        let explicit = opts.has("e")
        let numa = opts.value("n").map { Int(atoi($0)) } ?? -1
        let kernel = PiscesKernel(ctx: ctx)
        let bs = ctx.state.blockSize
        if let mem = opts.value("m") {
            if explicit {
                for item in mem.split(separator: ",", omittingEmptySubsequences: false) {
                    let block = Int(atoi(String(item)))
                    do { try kernel.offlineBlock(block) } catch {
                        ctx.printError("Could not offline memory block \(block)")
                        ctx.print("Error: Could not add memory block \(block)")
                        continue
                    }
                    do { try kernel.addMemory(id, kernel.blockRange(block, count: 1)) } catch {
                        ctx.printError("Could not add explicit memory block (block_id: \(block))")
                        try? ctx.setBlock(block, online: true)
                        ctx.print("Error: Could not add memory block \(block)")
                    }
                }
            } else {
                // `pisces_add_mem` (`pisces_ctrl.c:88-125`): the blocks stay offline when an add fails (cokernels-upstream.md §7.5).
                let free = kernel.freeBlocks(node: numa)
                let count = mem == "all" ? free.count : Int(atoi(mem))
                guard free.count >= count else {
                    ctx.printError("Could not allocate \(count) memory blocks")
                    return 0
                }
                for block in free.prefix(count) {
                    try? kernel.offlineBlock(block)
                    ctx.print("Adding memory range (0x\(String(UInt64(block) * bs, radix: 16))) to enclave \(id)")
                    do { try kernel.addMemory(id, kernel.blockRange(block, count: 1)) } catch {
                        ctx.printError("Could not add memory to enclave (\(id))")
                    }
                }
            }
        }
        if let cpuText = opts.value("c") {
            if explicit {
                for item in cpuText.split(separator: ",", omittingEmptySubsequences: false) {
                    let cpu = Int(atoi(String(item)))
                    do { try kernel.offlineCPU(cpu) } catch {
                        ctx.printError("Could not offline CPU \(cpu)")
                        ctx.print("Error: Could not add CPU to enclave \(id)")
                        continue
                    }
                    do { try kernel.addCPU(id, cpu) } catch {
                        ctx.printError("Could not add CPU \(cpu) to enclave")
                        try? ctx.setCPU(cpu, online: true)
                        ctx.print("Error: Could not add CPU to enclave \(id)")
                    }
                }
            } else {
                let count = Int(atoi(cpuText))
                let free = ctx.presentCPUs.filter { c in
                    c != 0 && ctx.isCPUOnline(c) && (numa < 0 || ctx.state.nodes.first { $0.cpus.contains(c) }?.id == numa)
                }
                guard free.count >= count else {
                    ctx.printError("Could not allocate \(count) CPUs")
                    return 0
                }
                for cpu in free.prefix(count) {
                    try? kernel.offlineCPU(cpu)
                    ctx.print("Adding CPU \(cpu) to enclave \(id)")
                    do { try kernel.addCPU(id, cpu) } catch {
                        ctx.printError("Could not add CPU \(cpu) to enclave \(id)")
                        try? ctx.setCPU(cpu, online: true)
                    }
                }
            }
        }
        return 0
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
