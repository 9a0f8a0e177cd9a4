import Foundation
import SosplanCore

/// `pisces_run [options] <enclave_dev> <exe> [args...]` (pis18:linux_usr/
/// pisces_run.c, pisces_ctrl.c `pisces_run_job`): getopt_long_only with
/// "f:" and `--np=`, `--cpulist=`, `--use-large-pages`, `--use-smartmap`,
/// `--heap_size=`, `--stack_size=`, `--name=`, `--envp=` (one dash works
/// too; argv is permuted, so `--` ends the options). The job is sent over
/// the enclave's control channel, which fails unless the enclave is
/// RUNNING. The arguments are joined with spaces (Kitten splits them
/// again). Errors print with printf and exit(-1) (255); a missing device
/// or program operand crashes the real tool (139).
///
/// `pisces_run` returns as soon as the LAUNCH_JOB control command is
/// answered (pis18 `pisces_run.c:270-280` → `pisces_ctrl.c` `pisces_run_job`):
/// the job then lives in Kitten until the enclave goes, and no tool reports
/// or ends it. Here the job is recorded with its enclave (it ends when the
/// enclave is freed) and nothing runs on Linux. The tool's debug printfs
/// ("longoptindex=…", "argc=…") are left out.
enum PiscesRunLauncher {
    static let longNames = ["np", "cpulist", "use-large-pages", "use-smartmap", "heap_size", "stack_size", "name", "envp"]

    static let options = GetOpt(
        program: "pisces_run", optstring: "f:",
        longOptions: longNames.enumerated().map { i, name in
            GetOpt.LongOption(name: name, hasArgument: !name.hasPrefix("use-"), letter: Character(String(i)))
        })

    static let usage = """
        pisces_run: Job Launch utility for pisces

         Launches a job as specified in command line options or in a job_file.

        Usage: pisces_run <enclave_dev> [options] <-f job_file | exe args...>
        """

    /// getopt_long_only: `-name` is a long option when it names one (or a
    /// unique prefix of one); up to `--`.
    static func longOnly(_ args: [String]) -> [String] {
        var out: [String] = []
        var ended = false
        for arg in args {
            if arg == "--" { ended = true }
            if !ended, arg.hasPrefix("-"), !arg.hasPrefix("--"), arg.count > 1 {
                let name = arg.dropFirst().split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let hits = longNames.filter { $0.hasPrefix(name) }
                if longNames.contains(name) || hits.count == 1 {
                    out.append("-" + arg)
                    continue
                }
            }
            out.append(arg)
        }
        return out
    }

    static func check(_ ctx: SimContext, _ args: [String]) -> SimLaunch {
        let opts = options.parse(longOnly(args))
        if let error = opts.error {
            ctx.printError(error)
            ctx.print("Error parsing command line (?)")
            ctx.print(usage)
            return .exit(255)
        }
        var name: String?
        var cpuList: String?
        var envp = ""
        var jobFile = false
        for (c, value) in opts.options {
            let v = value ?? ""
            switch c {
            case "0", "4", "5":  // np, heap_size, stack_size: digits, not 0
                guard v.first?.isASCII == true, v.first?.isNumber == true, atol(v) != 0 else {
                    ctx.print(usage)
                    return .exit(255)
                }
            case "1": cpuList = v
            case "6": name = v
            case "7": envp = v
            case "f":
                ctx.print("JOBFILE")
                jobFile = true
            default: break
            }
        }
        if jobFile {
            ctx.print("Error Job files not supported yet")
            return .exit(0)
        }
        // argv[optind] and argv[optind + 1] are read unchecked.
        guard let device = opts.operands.first else { return .exit(139) }
        guard opts.operands.count >= 2 else {
            if name == nil { return .exit(139) }
            ctx.print("Error: Missing name/exe parameter")
            return .exit(255)
        }
        let exe = opts.operands[1]
        let words = Array(opts.operands.dropFirst(2))
        let joined = words.joined(separator: " ")
        var logical: [Int] = []
        for entry in (cpuList ?? "").split(separator: ",", omittingEmptySubsequences: false) where cpuList != nil {
            let idx = Int(atoi(String(entry)))
            if idx == 0 && entry.first != "0" {
                ctx.print("Error: Invalid CPU entry (\(entry))")
                return .exit(255)
            }
            logical.append(idx)
        }
        let jobName = name ?? (exe as NSString).lastPathComponent
        if jobName.utf8.count > 63 {
            ctx.print("Error: Name is too large (MAX=63)")
            return .exit(255)
        }
        if exe.utf8.count > 255 {
            ctx.print("Error: exe path is too large (MAX=255)")
            return .exit(255)
        }
        if joined.utf8.count > 255 {
            ctx.print("Error: ARGV string is too large (MAX SIZE=255)")
            return .exit(255)
        }
        if envp.utf8.count > 255 {
            ctx.print("Error: ENVP string is too large (MAX=255)")
            return .exit(255)
        }
        let id = PiscesKernel.id(fromPath: device) ?? -1
        let kernel = PiscesKernel(ctx: ctx)
        guard ctx.exists("/dev/pisces-enclave\(id)"), let enclave = kernel.enclave(id) else {
            ctx.print("Error opening enclave control channel (Pisces Enclave: /dev/pisces-enclave\(id))")
            return .exit(255)
        }
        // ENCLAVE_CMD_LAUNCH_JOB: a failed ctrl ioctl prints nothing in user space.
        do {
            _ = try kernel.ctrl(id, "launch")
            try ctx.injected("launch")
        } catch { return .exit(255) }
        // Kitten numbers CPUs in the order they joined (`kittenCPUs`).
        if let bad = logical.first(where: { $0 < 0 || $0 >= enclave.kittenCPUs.count }) {
            ctx.log("pisces: job \(jobName): logical CPU \(bad) is not one of enclave \(id)'s \(enclave.kittenCPUs.count) CPUs")
            return .exit(255)
        }
        guard case .success = SimLauncher.resolve(exe) else {
            ctx.log("pisces: job \(jobName): cannot load \(exe)")
            return .exit(255)
        }
        let job = PiscesJob(name: jobName, exe: exe, argv: joined, cpus: logical.isEmpty ? Array(0..<enclave.kittenCPUs.count) : logical)
        kernel.update(id) { $0.jobs.append(job) }
        let physical = job.cpus.map { enclave.kittenCPUs[$0] }
        ctx.log("kitten: enclave \(id) launched job \(jobName) (\(exe) \(joined)) on CPUs \(CPUSet(physical))")
        return .handedOver
    }
}
