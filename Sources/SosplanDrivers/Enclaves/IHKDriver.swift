import Foundation
import SosplanCore

/// McKernel on IHK, through `ihkconfig` and `ihkosctl` (research §1).
///
/// IHK has two stages: CPUs and memory are reserved at the device (the
/// module offlines the CPUs), then assigned to an OS. Assignment is frozen
/// once the OS boots, and shutdown or destroy only return resources to the
/// device's reserved pool: only `release` gives them back to Linux. The
/// tools lose errno (a failed ioctl exits 255, an unknown action exits 0,
/// `create` exits with the new index), so every step is checked by reading
/// the state back.
public struct IHKDriver: EnclaveDriver {
    public var driver: EnclaveDriverKind { .mckernel }
    public var configuration: EnclaveToolConfiguration
    public var stateDirectory: StateDirectory
    /// The IHK device (`/dev/mcdN`); the McKernel scripts always use 0.
    public var device: Int
    /// `mckernel.img` under McKernel's default prefix.
    public var defaultImage: String
    /// What mcreboot passes (`hidos` is mandatory; research §1.2).
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

    /// The reserved pool (`ihkconfig 0 query cpu/mem`) and every OS
    /// (`get os_instances`, then `ihkosctl N get status`, `query cpu/mem`).
    /// Linux sees all of these CPUs offline; they are owned, not free.
    public func observeEnclaves() throws -> EnclaveObservation {
        do {
            let pool = try queryPool()
            var instances: [EnclaveInstance] = []
            for index in try osInstances() {
                let status = try status(index)
                let held = try queryOS(index)
                instances.append(
                    EnclaveInstance(
                        driver: .mckernel, instance: String(index), state: status.rawValue, cpus: held.cpus,
                        memory: MemoryChunk.merged(held.memory)))
            }
            let warnings = EnclaveNaming.apply(&instances, registry: stateDirectory.readEnclaveRegistry(), driver: .mckernel)
            return EnclaveObservation(
                instances: instances,
                pool: EnclavePool(driver: .mckernel, cpus: pool.cpus, memory: MemoryChunk.merged(pool.memory)),
                warnings: warnings)
        } catch {
            throw EnclaveError.from(error)
        }
    }

    /// The OS index registered for `name`, checked against `get os_instances`.
    func index(named name: String) throws(EnclaveError) -> Int {
        guard let entry = stateDirectory.readEnclaveRegistry().entries.first(where: { $0.name == name && $0.driver == .mckernel }),
            let index = Int(entry.instance)
        else { throw EnclaveError(.notFound, "no McKernel enclave named '\(name)' in the enclave registry") }
        guard try osInstances().contains(index) else {
            throw EnclaveError(.notFound, "enclave '\(name)' was IHK OS \(index), which no longer exists")
        }
        return index
    }
}
