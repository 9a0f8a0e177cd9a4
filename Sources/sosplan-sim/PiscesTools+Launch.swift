import Foundation
import SosplanCore

extension PiscesTools {
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
}
