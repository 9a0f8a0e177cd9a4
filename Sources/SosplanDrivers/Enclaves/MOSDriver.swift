import FoundationEssentials
import Glibc
import SosplanCore

/// The mOS LWK partition, through `lwkctl -c '<spec>' -p yes`, `lwkctl -d`,
/// `lwkctl -s [-r]` and `/sys/kernel/mOS/*` (intel/mOS `mOS/tools/lwkctl`,
/// `mOS/mos.c`; research cokernels-upstream.md §4). One partition per
/// host (instance `partition`); any change is delete + create, refused while
/// jobs run (`ras/jobid`) or yod holds LWK CPUs (`lwkcpus_reserved`).
/// Memory comes in 128 MiB sections and may come back smaller unless
/// precise: sosplan always asks `-p yes`, so it gets exactly what it asked
/// or a clean failure.
public struct MOSDriver: EnclaveDriver {
    public var driver: EnclaveDriverKind { .mos }
    public var configuration: EnclaveToolConfiguration
    public var stateDirectory: StateDirectory
    /// Pass `-f` to delete or recreate despite active jobs (never by default).
    public var force: Bool

    let runner: ToolRunner
    var hotplug: LinuxHotplug { LinuxHotplug(root: configuration.root) }
    static let instanceName = "partition"

    public init(configuration: EnclaveToolConfiguration, stateDirectory: StateDirectory, force: Bool = false) {
        self.configuration = configuration
        self.stateDirectory = stateDirectory
        self.force = force
        runner = ToolRunner(configuration: configuration)
    }

    public var capabilities: EnclaveCapabilities { .mos }

    /// `lwkctl` and an mOS kernel (`/sys/kernel/mOS/version`).
    public var isAvailable: Bool { runner.isInstalled("lwkctl") && configuration.fileExists("/sys/kernel/mOS/version") }

    /// What `/sys/kernel/mOS` says now.
    public struct Partition: Sendable, Equatable {
        public var lwkCPUs: CPUSet
        public var utilityCPUs: CPUSet
        public var memory: [MemoryChunk]
        /// CPUs yod has reserved for running jobs.
        public var reservedCPUs: CPUSet
        public var jobID: String
        /// The raw spec (`lwk_config`).
        public var config: String

        public var isBusy: Bool { !reservedCPUs.isEmpty || !jobID.isEmpty }
    }

    public func readPartition() throws(EnclaveError) -> Partition {
        func file(_ name: String) throws(EnclaveError) -> String {
            guard let data = FileManager.default.contents(atPath: configuration.hostPath("/sys/kernel/mOS/" + name)) else {
                throw EnclaveError(.notFound, "/sys/kernel/mOS/\(name) is missing: not an mOS kernel")
            }
            return String(decoding: data, as: UTF8.self)
        }
        do {
            return Partition(
                lwkCPUs: try CPUSet(lenientList: try file("lwkcpus")),
                utilityCPUs: try CPUSet(lenientList: try file("utility_cpus")),
                memory: try MOSFormat.parseLWKMem(try file("lwkmem")),
                reservedCPUs: try CPUSet(lenientList: try file("lwkcpus_reserved")),
                jobID: (try? file("ras/jobid"))?.trimmingASCIIWhitespace() ?? "",
                config: (try? file("lwk_config"))?.trimmingASCIIWhitespace() ?? "")
        } catch let e as EnclaveError {
            throw e
        } catch {
            throw EnclaveError(.inconsistent, "cannot parse /sys/kernel/mOS: \(error)")
        }
    }

    /// The partition as one instance: ACTIVE, or BUSY while jobs run.
    public func observeEnclaves() throws -> EnclaveObservation {
        let p = try readPartition()
        guard !p.lwkCPUs.isEmpty else {
            var none: [EnclaveInstance] = []
            return EnclaveObservation(
                warnings: EnclaveNaming.apply(&none, registry: stateDirectory.readEnclaveRegistry(), driver: .mos))
        }
        var instances = [
            EnclaveInstance(
                driver: .mos, instance: Self.instanceName, state: p.isBusy ? "BUSY" : "ACTIVE", cpus: p.lwkCPUs,
                memory: p.memory, args: Self.extraArgs(p.config))
        ]
        var warnings = EnclaveNaming.apply(&instances, registry: stateDirectory.readEnclaveRegistry(), driver: .mos)
        if !p.jobID.isEmpty { warnings.append("mOS: job \(p.jobID) is active; the partition cannot change until it ends") }
        return EnclaveObservation(instances: instances, pool: nil, warnings: warnings)
    }

    /// The words of a partition spec beyond what sosplan writes itself
    /// (`lwkcpus=`, `lwkmem=`, and the `precise=`/`auto=` lwkctl appends):
    /// what a layout's `args` holds, so a partition can be booted again
    /// from it and compared with the layout; nil when there are none.
    static func extraArgs(_ config: String) -> String? {
        let own = ["lwkcpus=", "lwkmem=", "precise=", "auto="]
        let extra = config.split(separator: " ").filter { word in !own.contains { word.hasPrefix($0) } }
        return extra.isEmpty ? nil : extra.joined(separator: " ")
    }

    /// `lwkctl -s`, parsed.
    public func show() throws(EnclaveError) -> MOSFormat.Show {
        let r = try runner.run("lwkctl", ["-s"])
        guard r.succeeded else { throw EnclaveError(.notFound, "lwkctl -s failed (not an mOS kernel?)", tool: r) }
        do { return try MOSFormat.Show.parse(r.stdout) } catch { throw EnclaveError(.inconsistent, error.description, tool: r) }
    }

    /// `lwkctl -s -r`: the raw partition spec.
    public func showRaw() throws(EnclaveError) -> String {
        let r = try runner.run("lwkctl", ["-s", "-r"])
        guard r.succeeded else { throw EnclaveError(.toolFailed, "lwkctl -s -r failed", tool: r) }
        return r.stdout.trimmingASCIIWhitespace()
    }
}
