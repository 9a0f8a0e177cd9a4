import Foundation
import SosplanCore

/// `yod [options] target [args...]` (mos:tools/yod/yod.c `parse_options`,
/// `resolve_options`, `main`): getopt_long with "+c:C:M:p:R:U:u:x:y:o:v:h";
/// `--resources <fraction|M/N|all>`, or `--cpus <list|0xmask|all>` /
/// `--cores <n|fraction|all>` together with `--mem <size|fraction|M/N|all>`.
/// The CPUs must be LWK CPUs of the partition and not reserved by another
/// job, the memory must fit the partition's LWK memory. Errors print
/// "yod: ERROR: <why> (rc=<rc>)" and exit with the negative errno
/// (`yod_abort`). On success yod execs the target with execvp.
///
/// Simplified: every LWK CPU is a core (one hardware thread per core). The
/// CPUs a launched job holds are in `lwkcpus_reserved` while it runs
/// (`YodJob`), so `lwkctl -d` refuses until it ends.
struct YodLauncher {
    struct Abort: Error { var rc: Int32 }

    enum Memory {
        case all, bytes(UInt64), fraction(Double)
    }

    static let options = GetOpt(
        program: "yod", optstring: "+c:C:M:p:R:U:u:x:y:o:v:h",
        longOptions: [
            .init(name: "cpus", hasArgument: true, letter: "c"), .init(name: "cores", hasArgument: true, letter: "C"),
            .init(name: "util_threads", hasArgument: true, letter: "u"), .init(name: "mem", hasArgument: true, letter: "M"),
            .init(name: "memory-preference", hasArgument: true, letter: "p"),
            .init(name: "resources", hasArgument: true, letter: "R"),
            .init(name: "resource_algorithm", hasArgument: true, letter: "1"),
            .init(name: "mem_algorithm", hasArgument: true, letter: "2"), .init(name: "layout", hasArgument: true, letter: "l"),
            .init(name: "rank-layout", hasArgument: true, letter: "3"), .init(name: "aligned-mmap", hasArgument: true, letter: "4"),
            .init(name: "brk-clear-length", hasArgument: true, letter: "5"), .init(name: "mosview", hasArgument: true, letter: "6"),
            .init(name: "opt", hasArgument: true, letter: "o"), .init(name: "help", hasArgument: false, letter: "h"),
            .init(name: "verbose", hasArgument: true, letter: "v"), .init(name: "dry-run", hasArgument: false, letter: "7"),
        ])

    let ctx: SimContext
    var cpus: CPUSet?
    var allCPUs = false
    /// Int.max: `all`.
    var cores: Int?
    var memory: Memory?
    var dryRun = false

    var mos: MOSState { ctx.state.mos ?? MOSState() }
    var designated: CPUSet { CPUSet(mos.lwkCPUs) }
    var available: CPUSet { designated.subtracting(mos.reserved) }
    var designatedMemory: UInt64 { mos.lwkmem.reduce(0, +) }

    static func check(_ ctx: SimContext, _ args: [String]) -> SimLaunch {
        var yod = YodLauncher(ctx: ctx)
        do { return try yod.run(args) } catch { return .exit(SimLauncher.exitStatus(error.rc)) }
    }

    func abort(_ rc: Int32, _ message: String) -> Abort {
        ctx.printError("yod: ERROR: \(message) (rc=\(rc))")
        return Abort(rc: rc)
    }

    mutating func run(_ args: [String]) throws(Abort) -> SimLaunch {
        let opts = Self.options.parse(args)
        if let error = opts.error {
            ctx.printError(error)
            return .exit(255)
        }
        for (c, value) in opts.options {
            let v = value ?? ""
            switch c {
            case "R": try resources(v)
            case "c": try lwkCPUs(v)
            case "C": try lwkCores(v)
            case "M": try mem(v)
            case "u":
                guard let n = SimLauncher.cInteger(v), n >= 0 else { throw abort(-EINVAL, "Bad argument for --util-threads.") }
            case "1":
                guard ["simple", "random", "numa"].contains(v) else { throw abort(-EINVAL, "Invalid resource_algorithm: \"\(v)\".") }
            case "2":
                if !["4kb", "large"].contains(v) { ctx.printError("yod: ERROR: Invalid mem_algorithm: \(v)") }
            case "6":
                guard ["lwk", "lwk-local", "all"].contains(v) else { throw abort(-EINVAL, "Invalid mOS view specified: \(v)") }
            case "v":
                guard Int(v) != nil else { throw abort(-EINVAL, "You must specify a verbosity level.") }
            case "h":
                ctx.print("Usage: yod [options] target")
                return .exit(0)
            case "7": dryRun = true
            default: break
            }
        }
        guard let target = opts.operands.first else { throw abort(-EINVAL, "No target specified.") }
        let selected = try resolve()
        if dryRun { return .exit(0) }
        let mask = SimSync.hexMask(selected)
        if !selected.isDisjoint(with: mos.reserved) {
            throw abort(-EBUSY, "Could not acquire LWK CPUs \(mask). (\(SimLauncher.strerror(EBUSY)))")
        }
        do { try ctx.injected("launch") } catch {
            throw abort(-error.errno, "Could not acquire LWK CPUs \(mask). (\(SimLauncher.strerror(error.errno)))")
        }
        switch SimLauncher.resolve(target) {
        case .success(let path):
            // lwkcpus_request: the CPUs are the job's until it exits.
            var m = mos
            m.jobs.append(MOSJob(pid: getpid(), childPid: nil, cpus: selected.sorted))
            ctx.state.mos = m
            return .execHolding(path: path, argv: opts.operands)
        case .failure(let e): throw abort(-1, "exec failed: \(SimLauncher.strerror(e.errno))")
        }
    }

    func checkCPUsNotGiven() throws(Abort) {
        if cpus != nil || cores != nil { throw abort(-EINVAL, "Specify only one of --cpus/-c, --cores/-C, --resources/-R.") }
    }

    func checkMemoryNotGiven() throws(Abort) {
        if memory != nil { throw abort(-EINVAL, "Specify only one of --mem/-M, --resources/-R.") }
    }

    /// A fraction in [0, 1]: a decimal or `M/N`.
    static func fraction(_ text: String) -> Double? {
        if let f = Double(text), f.isFinite, f >= 0, f <= 1, !text.contains("/") { return f }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let m = SimLauncher.cInteger(String(parts[0])), let n = SimLauncher.cInteger(String(parts[1])),
            m >= 0, n >= 1
        else { return nil }
        let f = Double(m) / Double(n)
        return f <= 1 ? f : nil
    }

    mutating func resources(_ v: String) throws(Abort) {
        try checkCPUsNotGiven()
        try checkMemoryNotGiven()
        if v == "all" {
            cores = Int.max
            memory = .all
            return
        }
        guard let f = Self.fraction(v) else { throw abort(-EINVAL, "Bad argument for --resources/-R.") }
        let n = Int(f * Double(designated.count))
        if n == 0 {
            throw abort(-EINVAL, "Requested fractional number of compute cores is zero (\(String(format: "%f", f)) x \(designated.count) < 1)")
        }
        cores = n
        memory = .fraction(f)
    }

    mutating func lwkCPUs(_ v: String) throws(Abort) {
        try checkCPUsNotGiven()
        if v == "all" {
            cpus = available
            allCPUs = true
        } else if v.lowercased().hasPrefix("0x") {
            guard let set = CPUSet(hexMask: String(v.dropFirst(2))) else { throw abort(-EINVAL, "Could not parse CPU mask \"\(v)\".") }
            cpus = set
        } else {
            guard let set = try? CPUSet(strictList: v) else { throw abort(-EINVAL, "Could not parse CPU list \"\(v)\".") }
            cpus = set
        }
    }

    mutating func lwkCores(_ v: String) throws(Abort) {
        try checkCPUsNotGiven()
        if v == "all" {
            cores = Int.max
        } else if let n = SimLauncher.cInteger(v), n >= 1 {
            cores = n
        } else if let f = Self.fraction(v) {
            cores = Int(f * Double(designated.count))
        } else {
            throw abort(-EINVAL, "Bad argument for --cores.")
        }
        if cores == 0 { throw abort(-EINVAL, "No compute cores requested.") }
    }

    mutating func mem(_ v: String) throws(Abort) {
        try checkMemoryNotGiven()
        if v == "all" {
            memory = .all
            return
        }
        if v.contains("/") {
            guard let f = Self.fraction(v), f > 0 else { throw abort(-EINVAL, "Illegal argument for --mem.") }
            memory = .fraction(f)
            return
        }
        // A number with an optional K/M/G/P suffix; a bare number below 1 is a fraction.
        var number = Substring(v)
        var scale: UInt64 = 1
        if let last = number.last, let shift = ["k": 10, "m": 20, "g": 30, "p": 50][last.lowercased()] {
            scale = 1 << UInt64(shift)
            number = number.dropLast()
        }
        guard let f = Double(number), f.isFinite, f > 0 else { throw abort(-EINVAL, "Illegal argument for --mem.") }
        memory = scale == 1 && f < 1 ? .fraction(f) : .bytes(UInt64(f * Double(scale)))
    }

    /// `resolve_options`: the CPUs to request; aborts as yod does.
    func resolve() throws(Abort) -> CPUSet {
        if (cores != nil || cpus != nil) && memory == nil {
            throw abort(-EINVAL, "--cores/-C requires --mem/-M to also be specified.")
        }
        if memory != nil && cores == nil && cpus == nil {
            throw abort(-EINVAL, "--mem/-M requires either --cores/-C or --cpus/-c to also be specified.")
        }
        let free = designatedMemory  // lwkmem_reserved: the simulator's jobs hold no LWK memory
        switch memory {
        case .bytes(let b)?:
            if b > designatedMemory { throw abort(-EINVAL, "Requested memory exceeds memory designated for LWK usage.") }
            if b > free { throw abort(-EBUSY, "Not enough memory is available.") }
        case .fraction(let f)?:
            if UInt64(f * Double(designatedMemory)) > free { throw abort(-EBUSY, "Could not construct LWK memory request.") }
        case .all?, nil: break
        }
        if let cpus {
            if cpus.isEmpty {
                throw allCPUs ? abort(-EBUSY, "No LWK CPUs are available.") : abort(-EINVAL, "No LWK CPUs were requested.")
            }
            let foreign = cpus.subtracting(designated)
            if !foreign.isEmpty { throw abort(-EINVAL, "One or more requested CPUs (\(foreign)) is not an LWK CPU.") }
            return cpus
        }
        if let n = cores {
            if n == Int.max {
                if available.isEmpty {
                    throw abort(designated.isEmpty ? -EINVAL : -EBUSY, "There are no complete cores available.")
                }
                return available
            }
            if n > designated.count {
                throw abort(-EINVAL, "Your configuration has \(designated.count) designated LWK cores, but you are asking for \(n).")
            }
            if available.count < n { throw abort(-EBUSY, "There are not enough cores available.") }
            return CPUSet(available.sorted.prefix(n))
        }
        if available.isEmpty { throw abort(-EBUSY, "No LWK CPUs are available.") }
        return available
    }
}
