import FoundationEssentials
import Glibc
import SosplanCore

/// Kitten enclaves on the Pisces co-kernel, through the Pisces user tools
/// and `/proc/pisces/enclave-N/{cpus,memory}`.
///
/// Tool generation: the 2015+ tools (drouyang/pisces from @95f6029,
/// 2015-01-22, when the tools moved into libpisces; the 2018 Hobbes install,
/// briankoco/hobbes-venv @0950458, is the newest and what the simulator
/// models; research cokernels-upstream.md §3, §7). They print `Enclave
/// Created: N`, which sosplan parses; the 2014 tools print a device path
/// instead and are refused with a message. The 2014 tools' only extra, CPU
/// removal, is of no use: the module never drops a removed CPU from its
/// mask (`src/enclave_ctrl.c:295`), so a removed CPU could never be added
/// again. With these tools:
///
/// - `pisces_load <kernel> <init_task> <cmdline>` creates a LOADED enclave;
/// - `pisces_launch -c CPU -n NODE -m 1 /dev/pisces-enclaveN` boots it on a
///   CPU and one memory block of the node (never `-b`: the tool keeps the
///   block's address in an `int`, so a block past 2 GiB names another
///   block, §7.1);
/// - `pisces_ctrl --explicit --cpu=L|--mem=L DEV` adds CPUs or blocks (the
///   optstring's `e:` makes `-e` swallow the next word); the tool offlines
///   each one itself and refuses one that is already offline (§7.2), so
///   sosplan hands over CPUs and blocks that Linux still runs;
/// - `pisces_shutdown <id>` shuts down and frees (LOADED ones too, §7.6)
///   and onlines what /proc listed.
///
/// No tool removes a CPU or memory, so nothing shrinks while it runs.
/// `/proc` lists a CPU or block from the moment it is offered, even when
/// Kitten refuses it, while the tool gives it back to Linux; an add counts
/// only when the CPU or block is listed and offline. `/proc` sorts CPUs;
/// Kitten numbers them in join order, which sosplan keeps in its registry.
public struct PiscesDriver: EnclaveDriver {
    public var driver: EnclaveDriverKind { .pisces }
    public var configuration: EnclaveToolConfiguration
    public var stateDirectory: StateDirectory
    /// Kitten's `vmlwk.bin`.
    public var defaultImage: String
    /// The init task; nil means `lwk_init` beside the image.
    public var initTask: String?
    public var defaultArgs: String

    let runner: ToolRunner
    var hotplug: LinuxHotplug { LinuxHotplug(root: configuration.root) }

    public init(
        configuration: EnclaveToolConfiguration, stateDirectory: StateDirectory,
        defaultImage: String = "/opt/kitten/vmlwk.bin", initTask: String? = nil, defaultArgs: String = "console=pisces"
    ) {
        self.configuration = configuration
        self.stateDirectory = stateDirectory
        self.defaultImage = defaultImage
        self.initTask = initTask
        self.defaultArgs = defaultArgs
        runner = ToolRunner(configuration: configuration)
    }

    static let tools = ["pisces_load", "pisces_launch", "pisces_ctrl", "pisces_shutdown"]

    /// The tools and `/dev/pisces` (the module is loaded).
    public var isAvailable: Bool {
        Self.tools.allSatisfy { runner.isInstalled($0) } && configuration.fileExists("/dev/pisces")
    }

    /// Memory moves in hotplug blocks of this host's `block_size_bytes`.
    public var capabilities: EnclaveCapabilities {
        var c = EnclaveCapabilities.pisces
        if let size = hotplug.memoryBlockSize() { c.memoryGranularity = size }
        return c
    }

    /// Every `/proc/pisces/enclave-N`. The state is not in /proc, so it is
    /// inferred: LOADED without CPUs; DEAD when Linux runs every CPU it
    /// lists (shut down but not freed: it holds nothing); else RUNNING. An
    /// enclave's CPUs and memory are those it lists that Linux does not run:
    /// a listed CPU or block that Linux runs failed to join (the module
    /// keeps it listed, the tool gave it back) and is reported, not counted.
    public func observeEnclaves() throws -> EnclaveObservation {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: configuration.hostPath("/proc/pisces"))) ?? []
        let blockSize = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
        let nodeOf = Dictionary(hotplug.memoryBlocks().map { ($0.id, $0.node) }, uniquingKeysWith: { a, _ in a })
        let registry = stateDirectory.readEnclaveRegistry()
        var instances: [EnclaveInstance] = []
        var warnings: [String] = []
        for name in names where name.hasPrefix("enclave-") {
            guard let id = Int(name.dropFirst("enclave-".count)) else { continue }
            let held = try read(id)
            let listed = CPUSet(held.cpus)
            let running = CPUSet(listed.filter { !hotplug.isCPUOnline($0) })
            let state = listed.isEmpty ? "LOADED" : running.isEmpty ? "DEAD" : "RUNNING"
            if state == "DEAD" {
                warnings.append("Pisces enclave \(id) lists CPUs \(listed) that Linux runs: it was shut down but not freed")
            } else if running != listed {
                warnings.append(
                    "Pisces enclave \(id) lists CPUs \(listed.subtracting(running)) that failed to join it (Linux runs them); Pisces keeps them listed and refuses to add them again until the enclave is recreated")
            }
            var memory: [MemoryChunk] = []
            var ghostBlocks: [Int] = []
            for block in held.memory.flatMap({ $0.blocks(blockSize: blockSize) }) {
                if hotplug.isMemoryBlockOnline(block) == true {
                    ghostBlocks.append(block)
                    continue
                }
                memory.append(MemoryChunk(node: nodeOf[block] ?? 0, bytes: blockSize))
            }
            if state != "DEAD" && !ghostBlocks.isEmpty {
                warnings.append("Pisces enclave \(id) lists memory blocks \(ghostBlocks) that failed to join it (Linux runs them)")
            }
            let order = registry.entries.first { $0.driver == .pisces && $0.instance == String(id) }?.cpuOrder
            instances.append(
                EnclaveInstance(
                    driver: .pisces, instance: String(id), state: state, cpus: running,
                    memory: MemoryChunk.merged(memory), cpuOrder: order.map { Self.joinOrder($0, of: running) }))
        }
        instances.sort { Int($0.instance)! < Int($1.instance)! }
        warnings += EnclaveNaming.apply(&instances, registry: registry, driver: .pisces)
        return EnclaveObservation(instances: instances, pool: nil, warnings: warnings)
    }

    /// `cpus` in the order recorded (what Kitten numbered), any CPU the
    /// record lacks appended in ascending order.
    static func joinOrder(_ recorded: [Int], of cpus: CPUSet) -> [Int] {
        let known = recorded.filter { cpus.contains($0) }
        return known + cpus.sorted.filter { !known.contains($0) }
    }

    /// `/proc/pisces/enclave-N/{cpus,memory}`: CPUs in ascending order.
    public func read(_ id: Int) throws(EnclaveError) -> (cpus: [Int], memory: [PiscesFormat.MemoryRange]) {
        let base = configuration.hostPath("/proc/pisces/enclave-\(id)")
        guard let cpus = FileManager.default.contents(atPath: base + "/cpus"),
            let memory = FileManager.default.contents(atPath: base + "/memory")
        else { throw EnclaveError(.notFound, "Pisces enclave \(id) does not exist") }
        do {
            return (
                try PiscesFormat.parseCPUs(String(decoding: cpus, as: UTF8.self)),
                try PiscesFormat.parseMemory(String(decoding: memory, as: UTF8.self))
            )
        } catch { throw EnclaveError(.inconsistent, error.description) }
    }

    func exists(_ id: Int) -> Bool { configuration.fileExists("/proc/pisces/enclave-\(id)") }

    func id(named name: String) throws(EnclaveError) -> Int {
        guard let entry = stateDirectory.readEnclaveRegistry().entries.first(where: { $0.name == name && $0.driver == .pisces }),
            let id = Int(entry.instance)
        else { throw EnclaveError(.notFound, "no Pisces enclave named '\(name)' in the enclave registry") }
        guard exists(id) else { throw EnclaveError(.notFound, "enclave '\(name)' was Pisces enclave \(id), which no longer exists") }
        return id
    }

    func tool(_ name: String, _ args: [String]) throws(EnclaveError) -> ToolResult { try runner.run(name, args) }

    static func devicePath(_ id: Int) -> String { "/dev/pisces-enclave\(id)" }
}
