import Foundation
import SosplanCore

/// `ihkconfig` and `ihkosctl` (ihk @3114d9e `linux/user/ihkconfig.c`,
/// `ihkosctl.c`): their argument handling, messages and exit statuses. A
/// failed ioctl returns -1, so most actions exit 255; `reserve` goes
/// through ihklib and exits with `(uint8)-errno` (`ihkconfig.c:230-262`,
/// `main` returns it), printing its error on stdout (`eprintf` is `printf`,
/// `:31-34`); `create` exits with the new OS index and prints "error:
/// creating OS instance" whenever it is not 0 (`:194-202`); an unknown
/// action prints the usage and exits 0 (`:594-600`).
enum IHKTools {
    static func ihkconfig(_ ctx: SimContext, _ args: [String]) -> Int32 {
        guard args.count >= 2 else { return usage(ctx, ihkconfigUsage, 1) }
        let kernel = IHKKernel(ctx: ctx)
        if args[1] == "get" {
            guard args.count >= 3 else { return usage(ctx, ihkconfigUsage, -1) }
            switch args[2] {
            case "os_instances":
                ctx.print(kernel.device.oses.map { String($0.index) }.sorted { Int($0)! < Int($1)! }.joined(separator: ","))
                return 0
            case "buildid":
                // IHK_DEVICE_GET_BUILDID (`ihkconfig.c:489-513`), compared with
                // McKernel's by mcreboot (mck `scripts/mcreboot-smp.sh.in:369-373`).
                ctx.print(kernel.device.buildID)
                return 0
            default:
                ctx.printError("Unknown target : \(args[2])")
                return usage(ctx, ihkconfigUsage, -1)
            }
        }
        guard ctx.exists("/dev/mcd\(Int(args[0]) ?? 0)") else {
            ctx.printError("open: No such file or directory")
            return 1
        }
        let rest = Array(args.dropFirst(2))
        switch args[1] {
        case "create":
            do {
                let index = try kernel.createOS()
                if index != 0 { ctx.printError("error: creating OS instance") }
                return Int32(index)
            } catch {
                ctx.printError("error: creating OS instance")
                return -1
            }
        case "destroy":
            guard let os = rest.first else {
                ctx.print("Usage: \(ctx.tool) (dev #) destroy (os #)")
                return 1
            }
            return ioctl(ctx, "error: destroying OS instance \(atoi(os))") { () throws(SimKernelError) in
                try kernel.destroyOS(Int(atoi(os)))
            }
        case "reserve":
            // `do_reserve` (`ihkconfig.c:230-262`) through ihklib: `ret = -errno`.
            guard rest.count >= 2 else { return usage(ctx, ihkconfigUsage, -1) }
            switch rest[0] {
            case "cpu":
                guard let cpus = orderedCPUList(rest[1]) else {
                    ctx.print("do_reserve: error: reserving CPUs: \(rest[1])")
                    return -EINVAL
                }
                return reserve(ctx, "do_reserve: error: reserving CPUs: \(rest[1])") { () throws(SimKernelError) in
                    try kernel.reserveCPUs(cpus)
                }
            case "mem":
                guard let items = try? IHKFormat.parseMemoryArgument(rest[1]) else {
                    ctx.print("do_reserve: error: reserving memory: \(rest[1])")
                    return -EINVAL
                }
                return reserve(ctx, "do_reserve: error: reserving memory: \(rest[1])") { () throws(SimKernelError) in
                    try kernel.reserveMemory(items)
                }
            default:
                return usage(ctx, ihkconfigUsage, -22)
            }
        case "release":
            // `do_release` (`ihkconfig.c:264-355`): the ioctl directly, -1 on failure.
            guard rest.count >= 2 else { return usage(ctx, ihkconfigUsage, -1) }
            switch rest[0] {
            case "cpu":
                guard let cpus = orderedCPUList(rest[1]) else {
                    ctx.print("do_release,parse provided cpulist string failed")
                    return -1
                }
                return ioctl(ctx, "error: releasing CPUs: \(rest[1])") { () throws(SimKernelError) in
                    try kernel.releaseCPUs(cpus)
                }
            case "mem":
                guard rest[1] == "all" || (try? IHKFormat.parseMemoryArgument(rest[1])) != nil else {
                    ctx.print("do_release,parse provided memlist string failed")
                    return -1
                }
                return ioctl(ctx, "error: releasing memory: \(rest[1])") { () throws(SimKernelError) in
                    try kernel.releaseMemory(rest[1])
                }
            default:
                return usage(ctx, ihkconfigUsage, -22)
            }
        case "query":
            guard let what = rest.first else { return usage(ctx, ihkconfigUsage, -1) }
            switch what {
            case "cpu":
                return query(ctx, "error: querying CPUs", "query cpu") { CPUSet(kernel.device.poolCPUs).description }
            case "mem":
                // One `size@node` per chunk in list (address) order (`mem_array2str`, `ihklib.c:628-651`).
                return query(ctx, "error: querying memory", "query mem") {
                    IHKFormat.formatMemoryQuery(kernel.device.poolMemory.map { MemoryChunk(node: $0.node, bytes: $0.bytes) })
                }
            default: return usage(ctx, ihkconfigUsage, -22)
            }
        default:
            ctx.printError("Unknown action : \(args[1])")
            return usage(ctx, ihkconfigUsage, 0)
        }
    }

    static func ihkosctl(_ ctx: SimContext, _ args: [String]) -> Int32 {
        guard args.count >= 2 else { return usage(ctx, ihkosctlUsage, 1) }
        let index = Int(atoi(args[0]))
        let kernel = IHKKernel(ctx: ctx)
        let rest = Array(args.dropFirst(2))
        if args[1] == "get" {
            // `get` goes through ihklib without opening the device here (`ihkosctl.c:98-136`, `:206-224`).
            guard rest.first == "status" else { return usage(ctx, ihkosctlUsage, -1) }
            do {
                let status = try kernel.status(index)
                // An oops kills the tool before it prints anything.
                if ctx.hazardFired { return -1 }
                ctx.print(status.rawValue)
                return 0
            } catch {
                ctx.print("do_get_status,error: ihk_os_get_status failed")
                return -1
            }
        }
        // `open("/dev/mcosN")`, else perror and exit 1 (`ihkosctl.c:846-850`).
        guard ctx.exists("/dev/mcos\(index)"), kernel.device.os(index) != nil else {
            ctx.printError("error: open failed: No such file or directory")
            return 1
        }
        switch args[1] {
        case "load":
            let image = rest.first ?? ""
            return ioctl(ctx, "error: loading \(image)") { () throws(SimKernelError) in try kernel.load(index, image: image) }
        case "kargs":
            guard let kargs = rest.first else {
                ctx.printError("error: no arg specified.")
                return 1
            }
            // "error: sending IRQ" (sic, `ihkosctl.c:687`).
            return ioctl(ctx, "error: sending IRQ") { () throws(SimKernelError) in try kernel.setKargs(index, kargs) }
        case "boot":
            return ioctl(ctx, "error: booting") { () throws(SimKernelError) in try kernel.boot(index) }
        case "shutdown":
            return ioctl(ctx, "error: shutting down") { () throws(SimKernelError) in try kernel.shutdown(index) }
        case "assign", "release":
            guard rest.count >= 2 else { return usage(ctx, ihkosctlUsage, -1) }
            let assign = args[1] == "assign"
            switch rest[0] {
            case "cpu":
                guard let cpus = orderedCPUList(rest[1]) else { return usage(ctx, ihkosctlUsage, -22) }
                let msg = assign ? "error: assigning CPUs: \(rest[1])" : "error: releasing CPUs: \(rest[1])"
                return ioctl(ctx, msg) { () throws(SimKernelError) in
                    if assign { try kernel.assignCPUs(index, cpus) } else { try kernel.releaseOSCPUs(index, cpus) }
                }
            case "mem":
                guard let items = try? IHKFormat.parseMemoryArgument(rest[1]) else { return usage(ctx, ihkosctlUsage, -22) }
                // "assiging" (sic), as ihkosctl prints it (`ihkosctl.c:442`).
                let msg = assign ? "error: assiging memory: \(rest[1])" : "error: releasing memory: \(rest[1])"
                return ioctl(ctx, msg) { () throws(SimKernelError) in
                    if assign { try kernel.assignMemory(index, items) } else { try kernel.releaseOSMemory(index, rest[1]) }
                }
            default: return usage(ctx, ihkosctlUsage, -22)
            }
        case "query":
            guard let what = rest.first, let os = kernel.device.os(index) else { return usage(ctx, ihkosctlUsage, -1) }
            switch what {
            case "cpu": return query(ctx, "error: querying CPUs", "query cpu") { CPUSet(os.cpus).description }
            case "mem":
                return query(ctx, "error: querying memory", "query mem") {
                    IHKFormat.formatMemoryQuery(os.memory.map { MemoryChunk(node: $0.node, bytes: $0.bytes) })
                }
            default: return usage(ctx, ihkosctlUsage, -22)
            }
        default:
            ctx.printError("Unknown action : \(args[1])")
            return usage(ctx, ihkosctlUsage, 0)
        }
    }

    /// Runs one ioctl: on failure prints the tool's message and returns -1.
    static func ioctl(_ ctx: SimContext, _ message: String, _ body: () throws(SimKernelError) -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            ctx.printError(message)
            return -1
        }
    }

    /// A reservation through ihklib: the tool exits with `ret`, the negative
    /// errno, and prints its message on stdout.
    static func reserve(_ ctx: SimContext, _ message: String, _ body: () throws(SimKernelError) -> Void) -> Int32 {
        do {
            try body()
            return 0
        } catch {
            ctx.print(message)
            return -error.errno
        }
    }

    static func query(_ ctx: SimContext, _ message: String, _ action: String, _ body: () -> String) -> Int32 {
        do { try ctx.injected(action) } catch {
            ctx.printError(message)
            return -1
        }
        ctx.print(body())
        return 0
    }

    /// `cpu_str2req`: `2-4,10` in the written order; ranges must ascend.
    static func orderedCPUList(_ text: String) -> [Int]? {
        var cpus: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2, let lo = Int(bounds[0]), let hi = bounds.count == 2 ? Int(bounds[1]) : lo,
                lo >= 0, lo <= hi, hi <= CPUSet.maximumID
            else { return nil }
            cpus += lo...hi
        }
        return cpus.isEmpty ? nil : cpus
    }

    static func usage(_ ctx: SimContext, _ lines: [String], _ status: Int32) -> Int32 {
        ctx.printError("Usage: \(ctx.tool) (dev #) (action)")
        ctx.printError("action:")
        for l in lines { ctx.printError("    " + l) }
        return status
    }

    static let ihkconfigUsage = [
        "create", "destroy", "reserve cpu|mem [resources]", "release cpu [resources]", "release mem",
        "query cpu|mem", "get os_instances", "get buildid",
    ]
    static let ihkosctlUsage = [
        "load (kernel.img)", "boot", "shutdown", "assign cpu|mem", "release cpu|mem", "query [cpu|mem]",
        "kargs (kernel arg)", "get status",
    ]
}
