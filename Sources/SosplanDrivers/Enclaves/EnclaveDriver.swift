import SosplanCore

/// One co-kernel, driven through its real control tools. Observing is
/// `EnclaveStateSource`; the operations are whole sequences that either
/// succeed or roll back what they did, so every CPU and byte stays either
/// with Linux or with an instance (or pool) that `observeEnclaves` reports.
///
/// Enclaves are addressed by their layout name, mapped to the driver's
/// handle through the registry in the state directory.
public protocol EnclaveDriver: EnclaveStateSource, Sendable {
    /// What this co-kernel can change live and how it treats CPUs.
    var capabilities: EnclaveCapabilities { get }

    /// Boots a new enclave with exactly the request's CPUs and memory.
    /// Throws `busy` when the name exists or the co-kernel is at its
    /// instance limit.
    func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance

    /// Adds CPUs and memory to a running enclave; `notSupportedWhileRunning`
    /// where the co-kernel cannot (the planner then recreates it).
    func grow(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance

    /// Takes CPUs and memory from a running enclave and gives them back to
    /// Linux; `notSupportedWhileRunning` where the co-kernel cannot.
    func shrink(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance

    /// Shuts the enclave down and returns every CPU and byte to Linux.
    func destroy(_ name: String) throws(EnclaveError)

    /// `destroy` for an instance the registry does not name (found by observe).
    func destroy(instance: String) throws(EnclaveError)

    /// Gives back to Linux what the co-kernel holds reserved for no instance,
    /// beyond `keep` (IHK's pool after an interrupted create: CPUs offline
    /// and memory taken, owned by nobody). Returns what it released, as
    /// words for a report; drivers without such a pool release nothing.
    func releasePool(keeping keep: EnclavePool?) throws(EnclaveError) -> [String]
}

extension EnclaveDriver {
    public func releasePool(keeping keep: EnclavePool?) throws(EnclaveError) -> [String] { [] }
}

extension EnclaveDriver {
    /// The observed instance named `name`, if any.
    public func instance(named name: String) throws(EnclaveError) -> EnclaveInstance? {
        do { return try observeEnclaves().instances.first { $0.name == name } } catch {
            throw EnclaveError.from(error)
        }
    }

    /// Destroys `request.name` if it exists, then creates it again (the
    /// planner's `enclave.recreate`).
    public func recreate(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        if try instance(named: request.name) != nil { try destroy(request.name) }
        return try create(request)
    }
}

/// Names observed instances from the registry, trusting only what the
/// driver sees: an entry whose instance is gone, or now holds none of the
/// CPUs it recorded, names nothing (the handle was reused) and is reported.
enum EnclaveNaming {
    static func apply(
        _ instances: inout [EnclaveInstance], registry: (entries: [EnclaveRegistryEntry], warnings: [String]),
        driver: EnclaveDriverKind
    ) -> [String] {
        var warnings = registry.warnings
        // An instance still coming up (an IHK OS created but not booted) is
        // not the enclave yet: it stays unnamed, so an interrupted create is
        // cleaned up as an orphan.
        for entry in registry.entries where entry.driver == driver && entry.isUp {
            guard let i = instances.firstIndex(where: { $0.instance == entry.instance }) else {
                warnings.append(
                    "enclave registry: '\(entry.name)' names \(driver.rawValue):\(entry.instance), which no longer exists")
                continue
            }
            let seen = instances[i].cpus
            if !entry.cpus.isEmpty, !seen.isEmpty, seen.isDisjoint(with: entry.cpus) {
                warnings.append(
                    "enclave registry: '\(entry.name)' recorded CPUs \(entry.cpus) but \(driver.rawValue):\(entry.instance) holds \(seen); not naming it")
                continue
            }
            if seen != entry.cpus {
                warnings.append(
                    "enclave '\(entry.name)': CPUs changed outside sosplan (recorded \(entry.cpus), now \(seen))")
            }
            instances[i].name = entry.name
            if instances[i].image == nil { instances[i].image = entry.image }
            if instances[i].args == nil { instances[i].args = entry.args }
        }
        return warnings
    }
}
