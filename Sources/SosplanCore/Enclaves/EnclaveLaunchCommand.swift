/// The command line of a service that runs inside an enclave: the
/// enclave's launcher (which itself runs on Linux) followed by the
/// service's `exec`. Pure: the caller supplies the launcher's path.
///
/// - McKernel: `mcexec [-c <lwk-cpu>] <os-index> <exec...>` (mckernel
///   @e597be0 `executer/user/mcexec.c:2194-2305`). mcexec has no option that
///   confines a process to a set of the OS's CPUs: `-c` only picks the LWK
///   core it starts on (`:2203-2209`, `:2460`), `-n` splits the OS's CPUs
///   among the processes of one parent (`:2650-2688`; every service's
///   parent is systemd), and `FLIB_AFFINITY_ON_PROCESS` is Fugaku's, its
///   ids shifted by 12 (`:2319-2375`). So a service with its own CPUs
///   starts on the first of them (`-c`, its LWK id: its rank in the OS's
///   CPUs, which sosplan assigns in ascending order); its threads may run
///   on any CPU of the OS.
/// - mOS: `yod --cpus <list> --mem <size|fraction|all> <exec...>` when the
///   service's CPUs are known, else `yod --resources <n>/<enclave CPUs>|all`
///   (yod.1: `-R` reserves that fraction of LWK cores and memory; `--mem`
///   fractions must lie in (0, 1), so the whole enclave is `all`).
/// - Pisces: `pisces_run --np=1 [--cpulist=<logical ids>] --name=<service>
///   -- /dev/pisces-enclave<N> <exec...>` (pis18 pisces_run.c). pisces_run
///   joins the program's arguments with spaces and parses options with
///   `getopt_long_only`, so arguments holding whitespace are refused and
///   `--` ends its options. `--cpulist` holds Kitten's logical CPU ids,
///   which follow the order CPUs joined the enclave (kit
///   `user/pisces/pisces.c`, ADD_CPU), not /proc's ascending list: the
///   instance's `cpuOrder`, kept by the driver.
public enum EnclaveLaunchCommand {
    /// What to launch and where.
    public struct Request: Sendable, Hashable {
        public var service: String
        public var instance: EnclaveInstance
        /// The service's argument vector; the first element is an absolute path.
        public var exec: [String]
        /// The service's CPUs inside the enclave, when the planner placed them.
        public var cpus: CPUSet?
        /// How many CPUs the service gets (used when `cpus` is nil).
        public var cpuCount: Int
        /// LWK memory for the service (mOS `--mem`), when the layout limits it.
        public var memoryBytes: UInt64?

        public init(
            service: String, instance: EnclaveInstance, exec: [String], cpus: CPUSet? = nil, cpuCount: Int,
            memoryBytes: UInt64? = nil
        ) {
            self.service = service
            self.instance = instance
            self.exec = exec
            self.cpus = cpus
            self.cpuCount = cpuCount
            self.memoryBytes = memoryBytes
        }
    }

    /// Where the launchers live by default (McKernel's `/opt/ppos` prefix,
    /// mOS packages, the Pisces user tools as Hobbes installs them).
    public static func defaultLauncher(for driver: EnclaveDriverKind) -> String {
        switch driver {
        case .mckernel: return "/opt/ppos/bin/mcexec"
        case .mos: return "/usr/bin/yod"
        case .pisces: return "/opt/pisces/linux_usr/pisces_run"
        }
    }

    /// Whether the launcher returns once the job is handed over instead of
    /// running as the job: `pisces_run` returns when the LAUNCH_JOB control
    /// command is answered and the job lives on in Kitten (pis18
    /// `pisces_run.c:270-280`). Its unit is a oneshot that stays active:
    /// active means launched; the job's end, and stopping it, are beyond
    /// what the Pisces tools offer (it ends with its enclave).
    public static func returnsAtLaunch(_ driver: EnclaveDriverKind) -> Bool { driver == .pisces }

    /// The argument vector, or the reason it cannot be built safely.
    public static func argumentVector(_ r: Request, launcher: String? = nil) throws(EnclaveTextError) -> [String] {
        let launcher = launcher ?? defaultLauncher(for: r.instance.driver)
        try EnclaveText.checkAbsolutePath(launcher, field: "launcher")
        guard let program = r.exec.first else {
            throw EnclaveTextError(field: "exec", value: "", reason: "must name a program")
        }
        try EnclaveText.checkAbsolutePath(program, field: "exec[0]")
        for (i, arg) in r.exec.enumerated() { try EnclaveText.checkArgument(arg, field: "exec[\(i)]") }
        guard r.cpuCount > 0 || !(r.cpus?.isEmpty ?? true) else {
            throw EnclaveTextError(field: "cpus", value: "\(r.cpuCount)", reason: "a service in an enclave needs at least one CPU")
        }
        if let cpus = r.cpus, !cpus.isSubset(of: r.instance.cpus) {
            throw EnclaveTextError(
                field: "cpus", value: cpus.description,
                reason: "must lie inside enclave \(r.instance.name ?? r.instance.instance)'s CPUs \(r.instance.cpus)")
        }
        switch r.instance.driver {
        case .mckernel: return try mcexec(r, launcher)
        case .mos: return try yod(r, launcher)
        case .pisces: return try piscesRun(r, launcher)
        }
    }

    static func mcexec(_ r: Request, _ launcher: String) throws(EnclaveTextError) -> [String] {
        guard let index = Int(r.instance.instance), index >= 0 else {
            throw EnclaveTextError(field: "instance", value: r.instance.instance, reason: "is not an IHK OS index")
        }
        var argv = [launcher]
        if let cpus = r.cpus, let first = cpus.first, cpus != r.instance.cpus,
            let lwk = r.instance.cpus.sorted.firstIndex(of: first)
        {
            argv += ["-c", String(lwk)]
        }
        return argv + [String(index)] + r.exec
    }

    static func yod(_ r: Request, _ launcher: String) throws(EnclaveTextError) -> [String] {
        let total = r.instance.cpus.count
        guard total > 0 else {
            throw EnclaveTextError(field: "instance", value: r.instance.instance, reason: "has no LWK CPUs")
        }
        if let cpus = r.cpus {
            let mem: String
            if let bytes = r.memoryBytes {
                mem = String(bytes)
            } else if cpus.count >= total {
                mem = "all"
            } else {
                mem = "\(cpus.count)/\(total)"
            }
            return [launcher, "--cpus", cpus.description, "--mem", mem] + r.exec
        }
        guard r.cpuCount <= total else {
            throw EnclaveTextError(field: "cpus", value: "\(r.cpuCount)", reason: "exceeds the enclave's \(total) CPUs")
        }
        return [launcher, "--resources", r.cpuCount == total ? "all" : "\(r.cpuCount)/\(total)"] + r.exec
    }

    static func piscesRun(_ r: Request, _ launcher: String) throws(EnclaveTextError) -> [String] {
        for (i, arg) in r.exec.enumerated() where arg.isEmpty || arg.contains(where: { $0 == " " || $0 == "\t" }) {
            throw EnclaveTextError(
                field: "exec[\(i)]", value: arg,
                reason: "cannot be passed to a Pisces job: pisces_run joins arguments with spaces")
        }
        try EnclaveText.checkName(r.service)
        guard let id = Int(r.instance.instance), id >= 0 else {
            throw EnclaveTextError(field: "instance", value: r.instance.instance, reason: "is not a Pisces enclave id")
        }
        var argv = [launcher, "--np=1"]
        if let cpus = r.cpus {
            let order = r.instance.cpuOrder ?? r.instance.cpus.sorted
            let logical = cpus.sorted.compactMap { order.firstIndex(of: $0) }.sorted()
            guard let top = logical.max(), top < 64 else {
                throw EnclaveTextError(field: "cpus", value: cpus.description, reason: "pisces_run takes a 64-bit CPU mask")
            }
            argv.append("--cpulist=" + logical.map(String.init).joined(separator: ","))
        }
        argv += ["--name=\(r.service)", "--", "/dev/pisces-enclave\(id)"]
        return argv + r.exec
    }
}
