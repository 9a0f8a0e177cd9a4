import Foundation
import SosplanCore

/// Kitten enclaves on the Pisces co-kernel, through the Pisces user tools
/// and `/proc/pisces/enclave-N/{cpus,memory}` (research §2).
///
/// Tools (exact names and flags from the Pisces sources; see Documentation
/// in the report): `pisces_load <kernel> <init_task> <cmdline>` (prints
/// `Enclave Created: N`, exits N), `pisces_launch -c CPU -b BLOCK -m N -n
/// NODE /dev/pisces-enclaveN`, `pisces_ctrl --explicit --cpu=L|--mem=L DEV`
/// (add; `--explicit`, because the optstring's `e:` makes `-e` swallow the
/// next word), `pisces_ctrl --remove --cpu=L DEV` (remove CPUs), and
/// `pisces_shutdown <id>` (snapshot /proc, SHUTDOWN, FREE, online).
///
/// sosplan offlines CPUs and memory blocks itself before handing them over
/// and brings every one back online after a removal or teardown: the
/// Pisces kernel never returns anything to Linux. `pisces_ctrl` prints and
/// skips a failed add and still exits 0, so every add is verified in /proc.
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

    /// Every `/proc/pisces/enclave-N`. The state is not in /proc (research
    /// §2.3), so it is inferred: LOADED without CPUs, DEAD when Linux runs
    /// any of its CPUs again (shut down but not freed), else RUNNING.
    public func observeEnclaves() throws -> EnclaveObservation {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: configuration.hostPath("/proc/pisces"))) ?? []
        let blockSize = hotplug.memoryBlockSize() ?? capabilities.memoryGranularity
        let nodeOf = Dictionary(hotplug.memoryBlocks().map { ($0.id, $0.node) }, uniquingKeysWith: { a, _ in a })
        var instances: [EnclaveInstance] = []
        var warnings: [String] = []
        for name in names where name.hasPrefix("enclave-") {
            guard let id = Int(name.dropFirst("enclave-".count)) else { continue }
            let resources: (cpus: [Int], memory: [PiscesFormat.MemoryRange])
            do { resources = try read(id) } catch { throw error }
            var memory: [MemoryChunk] = []
            for range in resources.memory {
                for block in range.blocks(blockSize: blockSize) {
                    memory.append(MemoryChunk(node: nodeOf[block] ?? 0, bytes: blockSize))
                }
            }
            let backInLinux = resources.cpus.filter { hotplug.isCPUOnline($0) }
            if !backInLinux.isEmpty {
                warnings.append(
                    "Pisces enclave \(id) lists CPUs \(CPUSet(backInLinux)) that Linux runs: it was shut down but not freed")
            }
            let state = resources.cpus.isEmpty ? "LOADED" : backInLinux.isEmpty ? "RUNNING" : "DEAD"
            instances.append(
                EnclaveInstance(
                    driver: .pisces, instance: String(id), state: state, cpus: CPUSet(resources.cpus),
                    memory: MemoryChunk.merged(memory)))
        }
        instances.sort { Int($0.instance)! < Int($1.instance)! }
        warnings += EnclaveNaming.apply(&instances, registry: stateDirectory.readEnclaveRegistry(), driver: .pisces)
        return EnclaveObservation(instances: instances, pool: nil, warnings: warnings)
    }

    /// `/proc/pisces/enclave-N/{cpus,memory}`: CPUs in the order they joined.
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
