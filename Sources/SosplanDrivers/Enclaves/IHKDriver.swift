import FoundationEssentials
import Glibc
import SosplanCore

/// McKernel on IHK, through `ihkconfig` and `ihkosctl` (ihk @3114d9e,
/// mckernel @e597be0; research cokernels-upstream.md §2).
///
/// IHK has two stages: CPUs and memory are reserved at the device (the
/// module offlines the CPUs; memory becomes chunks of whatever sizes the
/// allocator could gather), then assigned to an OS. Assignment is frozen
/// once the OS boots. Destroying a booted OS returns what it held to the
/// device's pool, and only `release` gives it back to Linux, one exact
/// chunk at a time. Destroying an OS that never booted gives back nothing,
/// so its CPUs and memory are released from it first, as ihklib's own
/// unwind does. And an OS that never booted, or was shut down, must not be
/// asked for its status (by the code a kernel NULL dereference): sosplan
/// keeps each OS's life cycle in its registry and asks only a booted OS.
/// The tools lose errno, so every step is checked by reading state back.
public struct IHKDriver: EnclaveDriver {
    public var driver: EnclaveDriverKind { .mckernel }
    public var configuration: EnclaveToolConfiguration
    public var stateDirectory: StateDirectory
    /// The IHK device (`/dev/mcdN`); the McKernel scripts always use 0.
    public var device: Int
    /// `mckernel.img` under McKernel's default prefix.
    public var defaultImage: String
    /// What mcreboot passes (`hidos` is mandatory for McKernel).
    public var defaultArgs: String

    let runner: ToolRunner
    var hotplug: LinuxHotplug { LinuxHotplug(root: configuration.root) }

    public init(
        configuration: EnclaveToolConfiguration, stateDirectory: StateDirectory, device: Int = 0,
        defaultImage: String = "/opt/ppos/smp-x86/kernel/mckernel.img", defaultArgs: String = "hidos dump_level=24"
    ) {
        self.configuration = configuration
        self.stateDirectory = stateDirectory
        self.device = device
        self.defaultImage = defaultImage
        self.defaultArgs = defaultArgs
        runner = ToolRunner(configuration: configuration)
    }

    public var capabilities: EnclaveCapabilities { .ihk }

    /// The tools and `/dev/mcd<device>` are present.
    public var isAvailable: Bool {
        runner.isInstalled("ihkconfig") && runner.isInstalled("ihkosctl") && configuration.fileExists("/dev/mcd\(device)")
    }

    /// The reserved pool (`ihkconfig 0 query cpu/mem`) and every OS (`get
    /// os_instances`, `ihkosctl N query cpu/mem`). The status is asked only
    /// of an OS the registry says booted and that still holds CPUs (a booted
    /// OS always does; one shut down behind sosplan's back has given them
    /// to the pool). Linux sees all of these CPUs offline: owned, not free.
    public func observeEnclaves() throws -> EnclaveObservation {
        do {
            let pool = try queryPool()
            let registry = stateDirectory.readEnclaveRegistry()
            var instances: [EnclaveInstance] = []
            var warnings: [String] = []
            for index in try osInstances() {
                let held = try queryOS(index)
                let entry = registry.entries.first { $0.driver == .mckernel && $0.instance == String(index) }
                let (state, warning) = try lifeState(index, entry: entry, held: held.cpus)
                if let warning { warnings.append(warning) }
                instances.append(
                    EnclaveInstance(
                        driver: .mckernel, instance: String(index), state: state, cpus: held.cpus,
                        memory: MemoryChunk.merged(held.memory)))
            }
            warnings += EnclaveNaming.apply(&instances, registry: registry, driver: .mckernel)
            return EnclaveObservation(
                instances: instances,
                pool: EnclavePool(driver: .mckernel, cpus: pool.cpus, memory: MemoryChunk.merged(pool.memory)),
                warnings: warnings)
        } catch {
            throw EnclaveError.from(error)
        }
    }

    /// An OS's state word without asking a status that has no answer:
    /// RUNNING/BOOTING/PANIC/... for an OS sosplan booted that still holds
    /// exactly the CPUs it booted with (a booted OS's CPUs cannot change,
    /// `smp-driver.c:1885`, `:1977`), from `get status`; NOT_BOOTED for one
    /// sosplan created and has not booted; INACTIVE for a booted one that
    /// holds no CPUs (shut down outside sosplan: they went to the pool);
    /// UNKNOWN otherwise (not sosplan's, or replaced behind its back), and
    /// then its status is not asked.
    func lifeState(_ index: Int, entry: EnclaveRegistryEntry?, held: CPUSet) throws(EnclaveError) -> (String, String?) {
        let unasked = "its status is not asked: an OS that never booted or was shut down oopses the kernel when asked"
        guard let entry else { return ("UNKNOWN", "IHK OS \(index) was not made by sosplan; \(unasked)") }
        guard entry.isUp else { return ("NOT_BOOTED", nil) }
        guard !held.isEmpty else {
            return ("INACTIVE", "IHK OS \(index) ('\(entry.name)') holds no CPUs: it was shut down outside sosplan")
        }
        guard held == entry.cpus else {
            return ("UNKNOWN", "IHK OS \(index) holds CPUs \(held), not the \(entry.cpus) sosplan booted it with: it is not that OS; \(unasked)")
        }
        return (try status(index).rawValue, nil)
    }

    /// The OS index registered for `name`, checked against `get os_instances`.
    func index(named name: String) throws(EnclaveError) -> Int {
        guard let entry = stateDirectory.readEnclaveRegistry().entries.first(where: { $0.name == name && $0.driver == .mckernel && $0.isUp }),
            let index = Int(entry.instance)
        else { throw EnclaveError(.notFound, "no McKernel enclave named '\(name)' in the enclave registry") }
        guard try osInstances().contains(index) else {
            throw EnclaveError(.notFound, "enclave '\(name)' was IHK OS \(index), which no longer exists")
        }
        return index
    }

    /// The registry's entry for OS `index`, if sosplan made it.
    func entry(_ index: Int) -> EnclaveRegistryEntry? {
        stateDirectory.readEnclaveRegistry().entries.first { $0.driver == .mckernel && $0.instance == String(index) }
    }
}
