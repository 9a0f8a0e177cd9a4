import Foundation
import SosplanCore

/// `mcexec [options] [<mcos-id>] (program) [args...]` (mck:executer/user/
/// mcexec.c `main`): getopt_long with "+c:n:t:M:h:e:s:m:u:" (options end at
/// the first operand); a leading operand that starts with a digit is the
/// OS index (default 0); then `/dev/mcosN` is opened, the program loaded,
/// and mcctrl asked for the OS's CPUs. Errors print to stderr and exit 1
/// (`-n` above the OS's CPUs: 22, as mcexec returns EINVAL).
///
/// An OS that exists but is not RUNNING has no mcctrl handlers yet, so the
/// CPU query fails: "No CPU found." (infer from mcexec.c + mcctrl, which
/// registers its ioctls when the OS boots).
enum MCExecLauncher {
    static let options = GetOpt(
        program: "mcexec", optstring: "+c:n:t:M:h:e:s:m:u:",
        longOptions: [
            "disable-vdso", "enable-vdso", "profile", "mpol-no-heap", "mpol-no-stack", "mpol-no-bss", "mpol-shm-premap",
            "no-bind-ikc-map", "disable-sched-yield", "enable-straight-map", "enable-uti", "uti-use-last-cpu",
        ].map { GetOpt.LongOption(name: $0, hasArgument: false, letter: "0") } + [
            .init(name: "mpol-threshold", hasArgument: true, letter: "M"),
            .init(name: "extend-heap-by", hasArgument: true, letter: "h"),
            .init(name: "stack-premap", hasArgument: true, letter: "s"),
            .init(name: "uti-thread-rank", hasArgument: true, letter: "u"),
        ])

    static let usage =
        "usage: mcexec [-c target_core] [-n nr_partitions] [<-e ENV_NAME=value>...] [--mpol-threshold=N] [--enable-straight-map] [--extend-heap-by=N] [-s (--stack-premap=)[premap_size][,max]] [--mpol-no-heap] [--mpol-no-bss] [--mpol-no-stack] [--mpol-shm-premap] [--disable-sched-yield] [--enable-uti] [--uti-thread-rank=N] [--uti-use-last-cpu] [<mcos-id>] (program) [args...]"

    static func check(_ ctx: SimContext, _ args: [String]) -> SimLaunch {
        let opts = options.parse(args)
        if let error = opts.error {
            ctx.printError(error)
            ctx.printError(usage)
            return .exit(1)
        }
        var processes = 0
        var targetCore: Int?
        for (c, value) in opts.options {
            let number = value.flatMap(SimLauncher.cInteger)
            switch c {
            case "c" where number == nil:
                ctx.printError("error: -c: invalid target CPU")
                return .exit(1)
            case "c": targetCore = number
            case "n":
                guard let n = number, n > 0 else {
                    ctx.printError("error: -n: invalid number of processes")
                    return .exit(1)
                }
                processes = n
            case "t" where (number ?? 0) <= 0:
                ctx.printError("error: -t: invalid number of threads")
                return .exit(1)
            default: break
            }
        }
        var operands = opts.operands[...]
        var index = 0
        if let first = operands.first, first.first?.isNumber == true, first.first?.isASCII == true {
            index = Int(atoi(first))
            operands = operands.dropFirst()
        }
        guard let program = operands.first else {
            ctx.printError(usage)
            return .exit(1)
        }
        let device = "/dev/mcos\(index)"
        guard ctx.exists(device), let os = IHKKernel(ctx: ctx).device.os(index) else {
            ctx.printError("Error: Failed to open \(device).")
            return .exit(1)
        }
        let path: String
        switch SimLauncher.resolve(program) {
        case .success(let p): path = p
        case .failure(let e):
            ctx.printError("\(program): could not load program: \(SimLauncher.strerror(e.errno))")
            return .exit(1)
        }
        guard os.phase == .running else {
            ctx.log("mcctrl: OS \(index) is \(IHKKernel.word(os.phase).rawValue), not RUNNING: no CPUs to run on")
            ctx.printError("No CPU found.")
            return .exit(1)
        }
        if processes > os.cpus.count {
            ctx.printError("error: nr_processes can't exceed nr. of CPUs")
            return .exit(EINVAL)
        }
        // `-c` is the LWK core the process starts on (mcexec.c:2203-2209,
        // `desc->cpu`, :2460), numbered in `assign cpu` order; McKernel has
        // no core past the OS's last (infer).
        if let core = targetCore, core < 0 || core >= os.cpus.count {
            ctx.log("mcexec: -c \(core): OS \(index) has LWK cores 0-\(os.cpus.count - 1)")
            ctx.printError("prepare: Invalid argument")
            return .exit(1)
        }
        // MCEXEC_UP_PREPARE_IMAGE is where the LWK takes the process.
        do { try ctx.injected("launch") } catch {
            ctx.printError("prepare: \(SimLauncher.strerror(error.errno))")
            return .exit(1)
        }
        return .exec(path: path, argv: Array(operands))
    }
}
