import Foundation
import SosplanCore

/// `sosplan-sim install`: builds a simulated host under `--root` (a
/// synthetic sysfs, or a copy of a captured one) and the tool links under
/// `--tools`, with `sosplan-sim.json` telling the tools where the root is.
struct SimInstaller {
    struct Options {
        var root = ""
        var tools = ""
        var fixture: String?
        var cpus = 8
        var nodes = 1
        var memory: UInt64 = 8 << 30
        var drivers = ["ihk", "pisces", "mos"]
    }

    /// The links per driver: its tools, then its launcher (named as
    /// `EnclaveLaunchCommand.defaultLauncher` names it, so the engine finds
    /// it in the tools directory).
    static var toolsByDriver: [(String, [String])] {
        [
            ("ihk", ["ihkconfig", "ihkosctl", SimLauncher.name(for: .mckernel)]),
            ("pisces", ["pisces_load", "pisces_launch", "pisces_ctrl", "pisces_shutdown", SimLauncher.name(for: .pisces)]),
            ("mos", ["lwkctl", SimLauncher.name(for: .mos)]),
        ]
    }

    var options: Options
    let fm = FileManager.default

    /// The build id IHK reports (`ihkconfig 0 get buildid`) and McKernel's
    /// `mcreboot.sh` carries (`MCK_BUILDID=`, mck `scripts/mcreboot-smp.sh.in:28`):
    /// the same on a consistent install.
    static let mckernelBuildID = "sosplan-sim-mckernel-1.7.1"

    func run() throws {
        let root = URL(fileURLWithPath: options.root).standardizedFileURL.path
        try fm.createDirectory(atPath: root + SimStore.directory, withIntermediateDirectories: true)
        var nodes: [SimNode]
        var blockSize: UInt64
        if let fixture = options.fixture {
            (nodes, blockSize) = try importFixture(fixture, into: root)
        } else {
            (nodes, blockSize) = try synthesize(into: root)
        }
        let initiallyOffline = nodes.flatMap(\.cpus).filter {
            (try? String(contentsOfFile: "\(root)/sys/devices/system/cpu/cpu\($0)/online", encoding: .utf8))?
                .trimmingASCIIWhitespace() == "0"
        }
        nodes.sort { $0.id < $1.id }
        try writeDevices(root: root)
        var ihk: IHKDeviceState?
        if options.drivers.contains("ihk") {
            // Writes to these files from now on are what IHK's reservations notice.
            var device = IHKDeviceState()
            device.compactedAt = Self.modificationTime(root + "/proc/sys/vm/compact_memory")
            device.cachesDroppedAt = Self.modificationTime(root + "/proc/sys/vm/drop_caches")
            ihk = device
        }
        let state = SimState(
            drivers: options.drivers, nodes: nodes, blockSize: blockSize, settings: SimSettings(), ihk: ihk,
            pisces: options.drivers.contains("pisces") ? PiscesState() : nil,
            mos: options.drivers.contains("mos") ? MOSState() : nil, initiallyOffline: initiallyOffline)
        SimStore.writeJSON(state, to: root + SimStore.directory + "/state.json")
        SimStore.writeJSON(SimFaultFile(faults: []), to: root + SimStore.directory + "/faults.json")
        try installTools(root: root)
        try SimStore.locked(root: root) {
            let ctx = try SimContext(root: root, tool: "sosplan-sim", arguments: ["install"])
            SimSync.sync(ctx)
            SimStore.writeJSON(ctx.state, to: root + SimStore.directory + "/state.json")
        }
    }

    static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
    }

    /// Device nodes and module list of the enabled co-kernels: /dev/mcd0 and
    /// ihk, ihk_smp_x86_64, mcctrl (mck `scripts/mcreboot-smp.sh.in:259-366`),
    /// /dev/pisces and /proc/pisces (pis `src/main.c`), /sys/kernel/mOS.
    func writeDevices(root: String) throws {
        var modules: [String] = []
        try fm.createDirectory(atPath: root + "/dev", withIntermediateDirectories: true)
        if options.drivers.contains("ihk") {
            _ = fm.createFile(atPath: root + "/dev/mcd0", contents: Data(), attributes: [.posixPermissions: 0o600])
            modules += ["mcctrl 1 0 - Live 0x0", "ihk_smp_x86_64 1 1 mcctrl, Live 0x0", "ihk 1 2 mcctrl,ihk_smp_x86_64, Live 0x0"]
        }
        if options.drivers.contains("pisces") {
            _ = fm.createFile(atPath: root + "/dev/pisces", contents: Data())
            try fm.createDirectory(atPath: root + "/proc/pisces", withIntermediateDirectories: true)
            modules.append("pisces 1 0 - Live 0x0")
        }
        if options.drivers.contains("mos") {
            try fm.createDirectory(atPath: root + "/sys/kernel/mOS/ras", withIntermediateDirectories: true)
        }
        try fm.createDirectory(atPath: root + "/proc", withIntermediateDirectories: true)
        _ = fm.createFile(atPath: root + "/proc/modules", contents: Data(modules.map { $0 + "\n" }.joined().utf8))
        // What mcreboot writes before reserving memory (mck `scripts/mcreboot-smp.sh.in:267-276`).
        try fm.createDirectory(atPath: root + "/proc/sys/vm", withIntermediateDirectories: true)
        for file in ["drop_caches", "compact_memory"] where !fm.fileExists(atPath: root + "/proc/sys/vm/" + file) {
            _ = fm.createFile(atPath: root + "/proc/sys/vm/" + file, contents: Data("0\n".utf8))
        }
        try fm.createDirectory(atPath: root + "/proc/sys/kernel/random", withIntermediateDirectories: true)
        _ = fm.createFile(atPath: root + "/proc/sys/kernel/random/boot_id", contents: Data((UUID().uuidString.lowercased() + "\n").utf8))
    }

    func installTools(root: String) throws {
        let tools = URL(fileURLWithPath: options.tools).standardizedFileURL.path
        try fm.createDirectory(atPath: tools, withIntermediateDirectories: true)
        let me = try fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        for (driver, names) in Self.toolsByDriver where options.drivers.contains(driver) {
            for name in names {
                let link = "\(tools)/\(name)"
                try? fm.removeItem(atPath: link)
                try fm.createSymbolicLink(atPath: link, withDestinationPath: me)
            }
        }
        if options.drivers.contains("ihk") {
            // McKernel installs mcreboot.sh beside ihkconfig (its SBINDIR); sosplan
            // reads only its MCK_BUILDID line. This one only says what it is.
            let script = """
                #!/bin/sh
                # sosplan-sim: stands for McKernel's mcreboot.sh (scripts/mcreboot-smp.sh.in), which is not simulated.
                MCK_BUILDID=\(Self.mckernelBuildID)
                echo "mcreboot.sh (sosplan-sim): not simulated" >&2
                exit 1

                """
            let path = "\(tools)/mcreboot.sh"
            try? fm.removeItem(atPath: path)
            _ = fm.createFile(atPath: path, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
        }
        let config: JSONValue = .object([("root", .string(URL(fileURLWithPath: options.root).standardizedFileURL.path))])
        _ = fm.createFile(atPath: "\(tools)/\(SimStore.configName)", contents: Data((JSONWriter.pretty(config) + "\n").utf8))
    }

    // MARK: Synthetic host

    func synthesize(into root: String) throws -> ([SimNode], UInt64) {
        guard options.cpus >= 1, options.nodes >= 1, options.nodes <= options.cpus else {
            throw SimStore.SimError(description: "need at least one CPU per node (--cpus \(options.cpus) --nodes \(options.nodes))")
        }
        let perNode = options.memory / UInt64(options.nodes)
        var blockSize: UInt64 = 128 << 20
        while perNode / blockSize > 512 { blockSize *= 2 }
        let blocksPerNode = Int(perNode / blockSize)
        guard blocksPerNode >= 2 else {
            throw SimStore.SimError(description: "--memory \(options.memory) is too small: each node needs two \(blockSize >> 20) MiB blocks")
        }
        let sys = root + "/sys/devices/system"
        var nodes: [SimNode] = []
        var cpu = 0
        for n in 0..<options.nodes {
            let count = options.cpus / options.nodes + (n < options.cpus % options.nodes ? 1 : 0)
            let cpus = Array(cpu..<(cpu + count))
            cpu += count
            let total = UInt64(blocksPerNode) * blockSize
            let free = (total - min(total / 10, 1 << 30)) / (1 << 20) * (1 << 20)
            nodes.append(SimNode(id: n, cpus: cpus, baseTotal: total, baseFree: free))
            let dir = "\(sys)/node/node\(n)"
            try put("\(dir)/cpulist", "\(CPUSet(cpus))\n")
            try put("\(dir)/cpumap", SimSync.hexMask(CPUSet(cpus)) + "\n")
            let distances = (0..<options.nodes).map { $0 == n ? "10" : "20" }.joined(separator: " ")
            try put("\(dir)/distance", distances + "\n")
            try put("\(dir)/meminfo", "Node \(n) MemTotal: \(total / 1024) kB\nNode \(n) MemFree: \(free / 1024) kB\nNode \(n) MemUsed: \((total - free) / 1024) kB\n")
            for c in cpus {
                let cdir = "\(sys)/cpu/cpu\(c)"
                // x86: CPU 0 has no online file and can never leave Linux.
                if c != 0 { try put("\(cdir)/online", "1\n") }
                try put("\(cdir)/topology/physical_package_id", "\(n)\n")
                try put("\(cdir)/topology/core_id", "\(c - cpus[0])\n")
                try put("\(cdir)/topology/die_id", "0\n")
                try put("\(cdir)/topology/thread_siblings_list", "\(c)\n")
                try put("\(cdir)/topology/core_cpus_list", "\(c)\n")
                try put("\(cdir)/topology/core_siblings_list", "\(CPUSet(cpus))\n")
                try put("\(cdir)/topology/package_cpus_list", "\(CPUSet(cpus))\n")
                try fm.createSymbolicLink(atPath: "\(cdir)/node\(n)", withDestinationPath: "../../node/node\(n)")
            }
            for b in 0..<blocksPerNode {
                let id = n * blocksPerNode + b
                let bdir = "\(sys)/memory/memory\(id)"
                try put("\(bdir)/state", "online\n")
                try put("\(bdir)/online", "1\n")
                // The first block of a node holds kernel data: not removable.
                try put("\(bdir)/removable", b == 0 ? "0\n" : "1\n")
                try put("\(bdir)/phys_index", String(format: "%08x\n", id))
                try put("\(bdir)/valid_zones", b == 0 ? "none\n" : "Normal Movable\n")
                try fm.createSymbolicLink(atPath: "\(bdir)/node\(n)", withDestinationPath: "../../node/node\(n)")
                try fm.createSymbolicLink(atPath: "\(dir)/memory\(id)", withDestinationPath: "../../memory/memory\(id)")
            }
        }
        let all = CPUSet(0..<options.cpus)
        for f in ["present", "possible", "online"] { try put("\(sys)/cpu/\(f)", "\(all)\n") }
        try put("\(sys)/cpu/offline", "\n")
        try put("\(sys)/cpu/kernel_max", "8191\n")
        let nodeList = "\(CPUSet(0..<options.nodes))\n"
        for f in ["online", "possible", "has_cpu", "has_memory", "has_normal_memory"] { try put("\(sys)/node/\(f)", nodeList) }
        try put("\(sys)/memory/block_size_bytes", String(blockSize, radix: 16) + "\n")
        let total = nodes.reduce(0) { $0 + $1.baseTotal }, free = nodes.reduce(0) { $0 + $1.baseFree }
        try put(root + "/proc/meminfo", "MemTotal: \(total / 1024) kB\nMemFree: \(free / 1024) kB\n")
        try put(root + "/proc/cpuinfo", (0..<options.cpus).map { "processor\t: \($0)\n\n" }.joined())
        try put(root + "/proc/sys/kernel/hostname", "sosplan-sim\n")
        return (nodes, blockSize)
    }

    func put(_ path: String, _ text: String) throws {
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard fm.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw SimStore.SimError(description: "cannot write \(path)")
        }
    }
}
