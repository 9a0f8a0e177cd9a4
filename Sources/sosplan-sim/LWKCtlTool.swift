import Foundation
import SosplanCore

/// `lwkctl` (mos:lwkctl.c: option parsing and `lwkctl_show` as in @e6e876b;
/// create/delete as the research describes them from @24333ec: offline
/// every LWK CPU, then write lwk_config, online them again if the write
/// fails). Errors exit with the negative errno (`exit(rc)`).
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

    /// mos_sysfs_access_linuxcpu: every CPU's online file must be writable.
    func canHotplug(_ cpus: [Int]) -> Bool { cpus.allSatisfy { ctx.exists(ctx.cpuDir($0) + "/online") } }

    /// __lwkctl_check_for_jobs: a non-blank ras/jobid is -EBUSY unless --force.
    func checkJobs() -> Int32 {
        guard !mos.jobid.trimmingASCIIWhitespace().isEmpty else { return 0 }
        ctx.printError("lwkctl: There are active job(s) on this node: \(mos.jobid)")
        return force ? 0 : -EBUSY
    }

    /// __lwkctl_delete: refused while lwkcpus_reserved is not empty.
    func removePartition() -> Int32 {
        if !mos.reservedCPUs.isEmpty {
            error("Can't delete LWK partition - being used")
            ctx.printError("lwkctl: lwkcpus_reserved: \(CPUSet(mos.reservedCPUs))")
            return -EBUSY
        }
        do { try ctx.injected("lwk_config") } catch { return -error.errno }
        var m = mos
        m.lwkCPUs = []
        m.utilityCPUs = []
        m.lwkmem = []
        m.config = ""
        mos = m
        return 0
    }

    func deletePartition() -> Int32 {
        let lwk = mos.lwkCPUs
        if lwk.isEmpty { return 0 }
        guard canHotplug(lwk) else {
            error("Insufficient privilege")
            return -EACCES
        }
        let jobs = checkJobs()
        if jobs != 0 { return jobs }
        let rc = removePartition()
        if rc == 0 {
            for cpu in lwk { if (try? ctx.setCPU(cpu, online: true)) == nil { ctx.printError("lwkctl: Couldn't online Linux cpu\(cpu)") } }
        }
        return rc
    }

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
            return -EACCES
        }
        let jobs = checkJobs()
        if jobs != 0 { return jobs }
        let original = mos.lwkCPUs
        if !original.isEmpty {
            let leaving = original.filter { !spec.lwkCPUs.contains($0) }
            let rc = removePartition()
            if rc != 0 { return abort(rc, "Failed to delete the previous LWK partition") }
            for cpu in leaving { try? ctx.setCPU(cpu, online: true) }
        }
        // Older lwkctl: offline every LWK CPU; on a failure it stops there.
        for cpu in lwk {
            do {
                try ctx.injected("offline")
                try ctx.setCPU(cpu, online: false)
            } catch {
                self.error("Failed to offline Linux cpu \(cpu)")
                return -error.errno
            }
        }
        let full = text + " precise=" + ((precise ?? false) ? "yes" : "no")
        let rc = writeConfig(spec, full)
        if rc != 0 {
            error("Failed to create LWK partition \(text)")
            for cpu in lwk where (try? ctx.setCPU(cpu, online: true)) == nil { error("Failed to online Linux cpu \(cpu)") }
        }
        return rc
    }

    /// The kernel side of writing lwk_config: memory comes from movable
    /// memory in 128 MiB sections, possibly less than asked unless precise.
    func writeConfig(_ spec: MOSFormat.PartitionSpec, _ full: String) -> Int32 {
        do { try ctx.injected("lwk_config") } catch { return -error.errno }
        var perNode = Array(repeating: UInt64(0), count: ctx.state.nodes.map(\.id).max().map { $0 + 1 } ?? 1)
        for chunk in MemoryChunk.merged(spec.memory) {
            guard chunk.node < perNode.count, ctx.state.nodes.contains(where: { $0.id == chunk.node }) else {
                ctx.log("mOS: no NUMA node \(chunk.node)")
                return -EINVAL
            }
            var available = SimMemory.free(ctx, node: chunk.node)
            if let limit = ctx.fragmentLimit(node: chunk.node) { available = min(available, limit) }
            let granted = min(chunk.bytes, available) / MOSFormat.sectionSize * MOSFormat.sectionSize
            if precise == true && granted != chunk.bytes {
                ctx.log("mOS: precise lwkmem: node \(chunk.node) wants \(chunk.bytes), can give \(granted)")
                return -ENOMEM
            }
            perNode[chunk.node] = granted
        }
        var m = mos
        m.lwkCPUs = spec.lwkCPUs.sorted
        m.utilityCPUs = spec.utilityCPUs.sorted
        m.lwkmem = perNode
        m.config = full
        mos = m
        return 0
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
