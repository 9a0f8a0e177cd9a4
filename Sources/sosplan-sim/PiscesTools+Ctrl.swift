import Foundation
import SosplanCore

extension PiscesTools {
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
}
