import Foundation
import SosplanCore

/// `sosplan-sim fault …`: adds, lists and clears faults (see `SimFault`).
enum SimFaultCommand {
    static func run(_ args: [String]) throws -> Int32 {
        let (root, rest) = try SimCommandLine.rootOption(args)
        guard let kind = rest.first else { throw SimStore.SimError(description: "fault needs a kind") }
        var words = Array(rest.dropFirst())
        // A flag without a value, taken before the `--name value` options.
        let after = words.contains("--after")
        words.removeAll { $0 == "--after" }
        let options = takeOptions(&words)
        try SimCommandLine.withContext(root) { ctx in
            switch kind {
            case "fail":
                guard words.count >= 2 else { throw SimStore.SimError(description: "fail TOOL ACTION") }
                var f = SimFault(kind: "fail")
                f.tool = words[0]
                f.action = words.dropFirst().joined(separator: " ")
                f.nth = options["nth"].flatMap { Int($0) } ?? 1
                f.count = options["count"].flatMap { Int($0) } ?? 1
                f.errno = try options["errno"].map { name in
                    guard let e = SimErrno.value(name) else { throw SimStore.SimError(description: "unknown errno \(name)") }
                    return e
                } ?? EINVAL
                ctx.faults.append(f)
            case "stall":
                guard words.count >= 3, let seconds = words.last.flatMap({ Double($0) }), seconds.isFinite, seconds >= 0
                else { throw SimStore.SimError(description: "stall TOOL ACTION... SECONDS [--after] [--nth N] [--count N]") }
                var f = SimFault(kind: "stall")
                f.tool = words[0]
                f.action = words.dropFirst().dropLast().joined(separator: " ")
                f.seconds = seconds
                if after { f.after = true }
                f.nth = options["nth"].flatMap { Int($0) } ?? 1
                f.count = options["count"].flatMap { Int($0) } ?? 1
                ctx.faults.append(f)
            case "fragment":
                guard words.count == 2, let node = Int(words[0]),
                    let bytes = (try? ByteSize.parse(words[1]).get())?.bytes ?? IHKFormat.memparse(words[1])
                else { throw SimStore.SimError(description: "fragment NODE SIZE") }
                var f = SimFault(kind: "fragment")
                f.node = node
                f.bytes = bytes
                // Pisces sees fragmentation as blocks that cannot be offlined.
                let keep = Int(bytes / ctx.state.blockSize)
                let candidates = ctx.memoryBlockIDs.filter {
                    ctx.blockNode($0) == node && ctx.isBlockOnline($0) == true && ctx.isBlockRemovable($0)
                }
                f.blocks = Array(candidates.dropFirst(keep))
                for b in f.blocks ?? [] { ctx.write(ctx.blockDir(b) + "/removable", "0\n") }
                ctx.faults.append(f)
            case "chunks":
                guard words.count == 2, let node = Int(words[0]), ctx.state.nodes.contains(where: { $0.id == node }) else {
                    throw SimStore.SimError(description: "chunks NODE SIZE[,SIZE...] (IHK's free memory on NODE as these runs)")
                }
                var sizes: [UInt64] = []
                for word in words[1].split(separator: ",") {
                    guard let b = (try? ByteSize.parse(String(word)).get())?.bytes ?? IHKFormat.memparse(word),
                        b > 0, b % IHKMemory.granule == 0
                    else { throw SimStore.SimError(description: "chunks: '\(word)' is not a positive multiple of 4 MiB") }
                    sizes.append(b)
                }
                guard var ihk = ctx.state.ihk else { throw SimStore.SimError(description: "chunks: IHK is not simulated") }
                let kernel = IHKKernel(ctx: ctx)
                var runs = kernel.layout(ihk)
                let used = (runs.map(\.end) + (ihk.poolMemory + ihk.oses.flatMap(\.memory) + ihk.strandedMemory).map(\.end)).max() ?? 0
                runs.removeAll { $0.node == node }
                runs += IHKMemory.runs(node: node, sizes: sizes, above: used)
                ihk.runs = runs
                ctx.state.ihk = ihk
                var f = SimFault(kind: "chunks")
                f.node = node
                f.sizes = sizes
                ctx.faults.append(f)
            case "buildid":
                guard let id = words.first, !id.isEmpty, ctx.state.ihk != nil else {
                    throw SimStore.SimError(description: "buildid ID (IHK must be simulated)")
                }
                ctx.state.ihk?.buildID = id
                var f = SimFault(kind: "buildid")
                f.jobid = id
                ctx.faults.append(f)
            case "mcctrl-missing":
                let lines = (ctx.read("/proc/modules") ?? "").split(separator: "\n").filter { !$0.hasPrefix("mcctrl ") }
                ctx.write("/proc/modules", lines.map { $0 + "\n" }.joined())
                ctx.faults.append(SimFault(kind: "mcctrl-missing"))
            case "refuse-offline":
                guard let cpu = words.first.flatMap({ Int($0) }), ctx.isCPUPresent(cpu), ctx.isCPUOnline(cpu),
                    ctx.exists(ctx.cpuDir(cpu) + "/online")
                else { throw SimStore.SimError(description: "refuse-offline needs an online, hot-pluggable CPU") }
                var f = SimFault(kind: "refuse-offline")
                f.cpu = cpu
                ctx.remove(ctx.cpuDir(cpu) + "/online")
                ctx.faults.append(f)
            case "hold-device":
                guard let os = words.first.flatMap({ Int($0) }) else { throw SimStore.SimError(description: "hold-device OS") }
                var f = SimFault(kind: "hold-device")
                f.os = os
                f.count = options["count"].flatMap { Int($0) } ?? 0
                ctx.faults.append(f)
            case "panic":
                ctx.faults.append(SimFault(kind: "panic"))
            case "mos-job":
                guard let job = words.first, ctx.state.mos != nil else {
                    throw SimStore.SimError(description: "mos-job JOBID (mOS must be simulated)")
                }
                var f = SimFault(kind: "mos-job")
                f.jobid = job
                f.cpus = options["reserved"]
                ctx.state.mos?.jobid = job
                if let list = options["reserved"] {
                    guard let set = try? CPUSet(lenientList: list) else { throw SimStore.SimError(description: "bad CPU list \(list)") }
                    ctx.state.mos?.reservedCPUs = set.sorted
                }
                ctx.faults.append(f)
            case "boot-polls":
                guard let value = words.first.flatMap({ Int($0) }), value >= 0 else {
                    throw SimStore.SimError(description: "\(kind) needs a number")
                }
                ctx.state.settings.bootPolls = value
            case "list":
                for f in ctx.faults { ctx.print(f.summary) }
                ctx.print("settings: boot-polls \(ctx.state.settings.bootPolls)")
            case "clear":
                for f in ctx.faults { restore(f, ctx) }
                ctx.faults = []
            default:
                throw SimStore.SimError(description: "unknown fault kind '\(kind)'")
            }
        }
        return 0
    }

    /// Undoes what installing `fault` changed in the simulated host.
    static func restore(_ fault: SimFault, _ ctx: SimContext) {
        switch fault.kind {
        case "refuse-offline": if let cpu = fault.cpu { ctx.write(ctx.cpuDir(cpu) + "/online", "1\n") }
        case "fragment": for b in fault.blocks ?? [] { ctx.write(ctx.blockDir(b) + "/removable", "1\n") }
        case "mos-job":
            ctx.state.mos?.jobid = ""
            ctx.state.mos?.reservedCPUs = []
        case "buildid": ctx.state.ihk?.buildID = SimInstaller.mckernelBuildID
        case "mcctrl-missing":
            let text = ctx.read("/proc/modules") ?? ""
            if !text.contains("mcctrl ") { ctx.write("/proc/modules", "mcctrl 1 0 - Live 0x0\n" + text) }
        default: break
        }
    }

    /// Pulls `--name value` pairs out of `words`.
    static func takeOptions(_ words: inout [String]) -> [String: String] {
        var options: [String: String] = [:]
        var kept: [String] = []
        var i = 0
        while i < words.count {
            if words[i].hasPrefix("--"), i + 1 < words.count {
                options[String(words[i].dropFirst(2))] = words[i + 1]
                i += 2
            } else {
                kept.append(words[i])
                i += 1
            }
        }
        words = kept
        return options
    }
}
