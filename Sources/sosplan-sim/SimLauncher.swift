import Foundation
import SosplanCore

/// What a launcher decided: exec the program, hand it to the co-kernel, or
/// exit with a status.
enum SimLaunch {
    /// `path` resolved as execvp would; `argv[0]` as the command line gave it.
    case exec(path: String, argv: [String])
    /// Exec the program while yod's CPU reservation lives (mOS): the
    /// reservation is in the state already and ends when the job does.
    case execHolding(path: String, argv: [String])
    /// The job now runs in the co-kernel (Pisces): save the state, exit 0.
    case handedOver
    case exit(Int32)
}

/// The enclave launchers the apply engine puts in front of a service's
/// program (`EnclaveLaunchCommand`): `mcexec` (IHK/McKernel), `pisces_run`
/// (Pisces), `yod` (mOS), named as `EnclaveLaunchCommand.defaultLauncher`
/// names them. Each parses its options as the real tool does and checks,
/// under the sim lock, that its instance is running; the lock is released
/// before the program is exec'd, so a long-running service never holds it.
/// On Linux the program then runs as itself (the co-kernel is simulated).
enum SimLauncher {
    static var launchers: [(EnclaveDriverKind, (SimContext, [String]) -> SimLaunch)] {
        [(.mckernel, MCExecLauncher.check), (.pisces, PiscesRunLauncher.check), (.mos, YodLauncher.check)]
    }

    /// The link name of a driver's launcher (`mcexec`, `pisces_run`, `yod`).
    static func name(for driver: EnclaveDriverKind) -> String {
        (EnclaveLaunchCommand.defaultLauncher(for: driver) as NSString).lastPathComponent
    }

    static var names: [String] { launchers.map { name(for: $0.0) } }

    static func check(named tool: String) -> ((SimContext, [String]) -> SimLaunch)? {
        launchers.first { name(for: $0.0) == tool }?.1
    }

    static func run(tool: String, argv0: String, arguments: [String], check: (SimContext, [String]) -> SimLaunch) -> Int32 {
        do {
            let root = try SimStore.root(forTool: argv0)
            _ = SimStall.serve(root: root, tool: tool, arguments: arguments)
            var launch = SimLaunch.exit(1)
            var out = "", err = ""
            try SimStore.locked(root: root) {
                let ctx = try SimContext(root: root, tool: tool, arguments: arguments)
                let faultsBefore = ctx.faults
                launch = check(ctx, arguments)
                switch launch {
                case .exec: ctx.finishLaunch(status: 0, launched: true, faultsBefore: faultsBefore)
                case .execHolding, .handedOver: ctx.finishLaunchChangingState()
                case .exit(let status): ctx.finishLaunch(status: status, launched: false, faultsBefore: faultsBefore)
                }
                out = ctx.stdout
                err = ctx.stderr
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            FileHandle.standardError.write(Data(err.utf8))
            switch launch {
            case .exit(let status): return status
            case .handedOver: return 0
            case .execHolding(let path, let argv): return YodJob.run(root: root, path: path, argv: argv)
            case .exec(let path, let argv):
                let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
                execv(path, cArgs)
                let reason = strerror(errno)
                FileHandle.standardError.write(Data("\(tool) (sosplan-sim): cannot exec \(path): \(reason)\n".utf8))
                return 1
            }
        } catch {
            FileHandle.standardError.write(Data("\(tool) (sosplan-sim): \(error)\n".utf8))
            return 1
        }
    }

    // MARK: Helpers shared by the launchers

    /// The program's path as execvp finds it: as given when it holds a
    /// slash, else the first executable in $PATH; or the errno why not.
    static func resolve(_ program: String) -> Result<String, SimKernelError> {
        if program.isEmpty { return .failure(SimKernelError(ENOENT, "empty program name")) }
        if program.contains("/") {
            return access(program, X_OK) == 0 ? .success(program) : .failure(SimKernelError(errno, program))
        }
        let search = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in search.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + program
            if access(candidate, X_OK) == 0 { return .success(candidate) }
        }
        return .failure(SimKernelError(ENOENT, program))
    }

    static func strerror(_ e: Int32) -> String { String(cString: Foundation.strerror(e)) }

    /// `strtol(text, &end, 0)` that must consume everything (0x hex, 0 octal).
    static func cInteger(_ text: String) -> Int? {
        var body = Substring(text)
        var sign = 1
        if body.first == "-" || body.first == "+" {
            if body.first == "-" { sign = -1 }
            body = body.dropFirst()
        }
        let lower = body.lowercased()
        let value: Int?
        if lower.hasPrefix("0x") {
            value = Int(lower.dropFirst(2), radix: 16)
        } else if lower.count > 1 && lower.hasPrefix("0") {
            value = Int(lower.dropFirst(), radix: 8)
        } else {
            value = Int(lower)
        }
        return value.map { $0 * sign }
    }

    /// The process exit status for a negative errno return (`exit(-22)` → 234).
    static func exitStatus(_ rc: Int32) -> Int32 { Int32(UInt8(truncatingIfNeeded: rc)) }
}
