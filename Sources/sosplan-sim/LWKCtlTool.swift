import Foundation
import SosplanCore

/// `lwkctl` as intel/mOS has it now (`mOS/tools/lwkctl/lwkctl.c` @e6e876b:
/// `parse_options`, `lwkctl_create`, `lwkctl_delete`, `__lwkctl_delete`,
/// `__lwkctl_check_for_jobs`, `lwkctl_show`; `lwkctl_sysfs.c` @d283268) and
/// the kernel side of `/sys/kernel/mOS/lwk_config` (`mOS/mos.c`
/// `lwk_config_store`, `mOS/lwkcpu.c`, `mOS/lwkctrl.c`). The tool no longer
/// takes CPUs offline: the kernel requires the LWK CPUs online and offlines
/// them itself, and onlines them again when the partition goes. Exit
/// statuses are the tool's return codes, not errnos: a refused write to
/// `lwk_config` returns -2 (`mos_sysfs_write`: `rc = write()` = -1, then
/// `rc--`), so exits 254; privilege failures return -1 (255); EBUSY and
/// EINVAL aborts exit 240 and 234.
struct LWKCtlTool {
    let ctx: SimContext
    var precise: Bool?
    var force = false

    static let usage = """
        Usage: lwkctl [options]
        Options:

         Option            Argument          Description
         ----------------  ----------------  ---------------------------
         -c, --create      partition spec    Create a new LWK partition.
         -d, --delete                        Deletes the LWK partition
         -s, --show                          Show existing LWK partition.
         -r, --raw                           Modifies the format of the
                                             --show option output.
         -t, --timeout     secs              Specify the lock timeout
         -f, --force                         Force creation/deletion of
         -v, --v                             Specify verbosity level.
         -h, --help                          Prints help.
        """

    /// lwkctl's getopt_long table (also read by `SimCallKind`).
    static let options = GetOpt(
        program: "lwkctl", optstring: "+c:dsrp:t:v:fh",
        longOptions: [
            .init(name: "create", hasArgument: true, letter: "c"), .init(name: "delete", hasArgument: false, letter: "d"),
            .init(name: "show", hasArgument: false, letter: "s"), .init(name: "raw", hasArgument: false, letter: "r"),
            .init(name: "precise", hasArgument: true, letter: "p"), .init(name: "timeout", hasArgument: true, letter: "t"),
            .init(name: "verbose", hasArgument: true, letter: "v"), .init(name: "force", hasArgument: false, letter: "f"),
            // `--inline` maps to 'i', which is not in the optstring: usage, exit 0.
            .init(name: "inline", hasArgument: false, letter: "i"), .init(name: "help", hasArgument: false, letter: "h"),
        ]
    )

    static func main(_ ctx: SimContext, _ args: [String]) -> Int32 {
        var tool = LWKCtlTool(ctx: ctx)
        return tool.run(args)
    }

    mutating func run(_ args: [String]) -> Int32 {
        guard !args.isEmpty else { return usage() }
        let opts = Self.options.parse(args)
        if let error = opts.error {
            ctx.printError(error)
            return usage()
        }
        var create: String?
        var delete = false, show = false, raw = false
        for (c, value) in opts.options {
            switch c {
            case "c":
                guard let v = value, !v.isEmpty else { return abort(-EINVAL, "Invalid create parameters") }
                create = v
            case "d": delete = true
            case "s": show = true
            case "r": raw = true
            case "f": force = true
            case "p":
                switch value {
                case "yes": precise = true
                case "no": precise = false
                default: return abort(-EINVAL, "Invalid parameter for precise option")
                }
            case "t":
                guard let v = value, let t = Int(v), t >= 0 else {
                    return abort(-EINVAL, "Invalid argument for timeout: \(value ?? "").")
                }
            case "v": break
            default: return usage()
            }
        }
        if raw && !show { return abort(-EINVAL, "The raw option requires the show option") }
        if precise != nil && create == nil { return abort(-EINVAL, "The precise option requires the create option") }
        guard delete || create != nil || show else { return usage() }
        if delete {
            let rc = deletePartition()
            if rc != 0 {
                error("Failed to delete")
                return rc
            }
        }
        if let spec = create {
            let rc = createPartition(spec)
            if rc != 0 {
                error("Failed to create \(spec)")
                return rc
            }
        }
        if show { return raw ? showRaw() : showPartition() }
        return 0
    }

    var mos: MOSState {
        get { ctx.state.mos ?? MOSState() }
        nonmutating set { ctx.state.mos = newValue }
    }

    func usage() -> Int32 {
        ctx.print(Self.usage)
        return 0
    }

    func error(_ message: String) { ctx.printError("lwkctl: ERROR: \(message)") }

    func abort(_ rc: Int32, _ message: String) -> Int32 {
        error("\(message) (rc=\(rc))")
        return rc
    }

    /// `mos_sysfs_access_linuxcpu` (`lwkctl_sysfs.c`): every CPU's online
    /// file must open for writing, else -1.
    func canHotplug(_ cpus: [Int]) -> Bool { cpus.allSatisfy { ctx.exists(ctx.cpuDir($0) + "/online") } }

    /// `__lwkctl_check_for_jobs`: a non-blank ras/jobid is -EBUSY unless --force.
    func checkJobs() -> Int32 {
        guard !mos.jobid.trimmingASCIIWhitespace().isEmpty else { return 0 }
        ctx.printError("lwkctl: There are active job(s) on this node: \(mos.jobid)")
        return force ? 0 : -EBUSY
    }

    /// `mos_sysfs_write` of lwk_config: the kernel's refusal comes back as
    /// -1 from write(2), and the tool returns -2.
    static let refusedWrite: Int32 = -2

    /// `__lwkctl_delete`: refused while `lwkcpus_reserved` is not empty
    /// (-EBUSY), then the write to lwk_config (`deleteInKernel`).
    func removePartition() -> Int32 {
        if !mos.reserved.isEmpty {
            error("Can't delete LWK partition - being used")
            ctx.printError("lwkctl: lwkcpus_reserved: \(mos.reserved)")
            return -EBUSY
        }
        return deleteInKernel() ? 0 : Self.refusedWrite
    }

    /// The kernel deleting the partition (`lwk_config_store` with an empty
    /// spec): the LWK CPUs go back to Linux (`lwkcpu.c` `lwkcpu_down_multiple`
    /// → `linuxcpu_up`) and the LWK memory is given back.
    func deleteInKernel() -> Bool {
        do { try ctx.injected("lwk_config") } catch { return false }
        let lwk = mos.lwkCPUs
        var m = mos
        m.lwkCPUs = []
        m.utilityCPUs = []
        m.lwkmem = []
        m.config = ""
        mos = m
        for cpu in lwk { try? ctx.setCPU(cpu, online: true) }
        return true
    }

    /// `lwkctl_delete`: nothing to do without a partition; privilege, jobs,
    /// then `__lwkctl_delete`. It onlines nothing itself (the kernel does).
    func deletePartition() -> Int32 {
        let lwk = mos.lwkCPUs
        if lwk.isEmpty { return 0 }
        guard canHotplug(lwk) else {
            error("Insufficient privilege")
            return -1
        }
        let jobs = checkJobs()
        if jobs != 0 { return jobs }
        return removePartition()
    }

    /// `lwkctl_create`: parse and check the spec, privilege, jobs, delete a
    /// previous partition (onlining CPUs that leave it), append
    /// `precise=yes|no`, write lwk_config; when the kernel refuses, hand
    /// the LWK CPUs back to Linux and return -2.
    func createPartition(_ text: String) -> Int32 {
        for word in text.split(separator: " ") where !word.contains("=") {
            error("Invalid parameter to -c/--create")
            return -EINVAL
        }
        guard text.split(separator: " ").contains(where: { $0.hasPrefix("lwkcpus=") }) else {
            error("No valid lwkcpus spec found")
            return -EINVAL
        }
        guard !text.contains("=auto"), let spec = try? MOSFormat.PartitionSpec.parse(text), !spec.lwkCPUs.isEmpty else {
            error("Failed to parse lwkcpus spec")
            return -EINVAL
        }
        let present = Set(ctx.presentCPUs)
        guard spec.lwkCPUs.union(spec.utilityCPUs).allSatisfy({ present.contains($0) }) else {
            error("Invalid LWK cpu spec")
            return -EINVAL
        }
        let lwk = spec.lwkCPUs.sorted
        guard canHotplug(lwk) else {
            error("Insufficient privilege")
            return -1
        }
        let jobs = checkJobs()
        if jobs != 0 { return jobs }
        let original = mos.lwkCPUs
        if !original.isEmpty {
            let leaving = original.filter { !spec.lwkCPUs.contains($0) }
            guard canHotplug(leaving) else {
                error("Insufficient privilege")
                return -1
            }
            let rc = removePartition()
            if rc != 0 { return abort(rc, "Failed to delete the previous LWK partition") }
            for cpu in leaving { try? ctx.setCPU(cpu, online: true) }
        }
        let full = text + " precise=" + ((precise ?? false) ? "yes" : "no")
        guard writeConfig(spec, full) else {
            error("Failed to create LWK partition \(text)")
            for cpu in lwk where (try? ctx.setCPU(cpu, online: true)) == nil { error("Failed to online Linux cpu \(cpu)") }
            return Self.refusedWrite
        }
        return 0
    }

    /// The kernel side of writing lwk_config (`mos.c` `lwk_config_store`,
    /// `validate_lwkcpus_spec`; `lwkcpu.c` `lwkcpu_up_multiple`): a partition
    /// may not be modified ("Unsupported: modifying LWKCPU config."), the
    /// LWK CPUs must be online ("Inline offlining") and are offlined here,
    /// undone if one fails; memory comes from movable memory in 128 MiB
    /// sections (`lwkctrl.c` `lwkmem_parse_args`), possibly less than asked
    /// unless precise, which fails instead. False: the write is refused.
    func writeConfig(_ spec: MOSFormat.PartitionSpec, _ full: String) -> Bool {
        do { try ctx.injected("lwk_config") } catch { return false }
        guard mos.lwkCPUs.isEmpty else {
            ctx.log("mOS: Unsupported: modifying LWKCPU config.")
            return false
        }
        guard spec.lwkCPUs.isDisjoint(with: spec.utilityCPUs) else {
            ctx.log("mOS: utility and LWK CPUs overlap")
            return false
        }
        let lwk = spec.lwkCPUs.sorted
        if let offline = lwk.first(where: { !ctx.isCPUOnline($0) }) {
            ctx.log("mOS: Inline offlining: CPU \(offline) is not online")
            return false
        }
        var perNode = Array(repeating: UInt64(0), count: ctx.state.nodes.map(\.id).max().map { $0 + 1 } ?? 1)
        for chunk in MemoryChunk.merged(spec.memory) {
            guard chunk.node < perNode.count, ctx.state.nodes.contains(where: { $0.id == chunk.node }) else {
                ctx.log("mOS: no NUMA node \(chunk.node)")
                return false
            }
            var available = SimMemory.free(ctx, node: chunk.node)
            if let limit = ctx.fragmentLimit(node: chunk.node) { available = min(available, limit) }
            let granted = min(chunk.bytes, available) / MOSFormat.sectionSize * MOSFormat.sectionSize
            if precise == true && granted != chunk.bytes {
                ctx.log("mOS: precise lwkmem: node \(chunk.node) wants \(chunk.bytes), can give \(granted)")
                return false
            }
            perNode[chunk.node] = granted
        }
        var done: [Int] = []
        for cpu in lwk {
            do {
                try ctx.injected("offline")
                try ctx.setCPU(cpu, online: false)
            } catch {
                ctx.log("mOS: lwkcpu_up_multiple: could not offline CPU \(cpu)")
                for c in done { try? ctx.setCPU(c, online: true) }
                return false
            }
            done.append(cpu)
        }
        var m = mos
        m.lwkCPUs = lwk
        m.utilityCPUs = spec.utilityCPUs.sorted
        m.lwkmem = perNode
        m.config = full
        mos = m
        return true
    }

    func showPartition() -> Int32 {
        let m = mos
        guard !m.version.isEmpty else {
            error("not a valid mOS kernel")
            return -EINVAL
        }
        let lwk = CPUSet(m.lwkCPUs)
        var perNode = m.lwkmem
        let nodes = (ctx.state.nodes.map(\.id).max() ?? 0) + 1
        if perNode.count < nodes { perNode += Array(repeating: 0, count: nodes - perNode.count) }
        let show = MOSFormat.Show(
            version: m.version, linuxCPUs: CPUSet(ctx.presentCPUs).subtracting(lwk), lwkCPUs: lwk,
            utilityCPUs: CPUSet(m.utilityCPUs), lwkMemoryKB: perNode.map { $0 >> 10 })
        ctx.stdout += show.text
        return 0
    }

    func showRaw() -> Int32 {
        var words = mos.config.split(separator: " ").filter { !$0.hasPrefix("auto=") && !$0.hasPrefix("precise=") }
        while words.last?.isEmpty == true { words.removeLast() }
        ctx.print(words.joined(separator: " ") + " ")
        return 0
    }
}
