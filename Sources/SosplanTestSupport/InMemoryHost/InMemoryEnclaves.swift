import Foundation
import SosplanCore
import SosplanDrivers

/// A co-kernel in memory for the engine's tests: instances by name,
/// failures on demand, and a count of operations. It registers as Pisces but
/// leaves CPU hotplug to sosplan (`cpu.offline` before, `cpu.online` after)
/// and can give CPUs back while running, unlike today's Pisces tools, so
/// that every enclave-related step of the engine runs against it.
public final class InMemoryEnclaves: EnclaveDriver, @unchecked Sendable {
    public let driver: EnclaveDriverKind = .pisces
    public let capabilities: EnclaveCapabilities = {
        var c = EnclaveCapabilities.pisces
        c.offlinesCPUsItself = false
        c.onlinesCPUsOnRelease = false
        c.shrinkCPUsWhileRunning = true
        return c
    }()
    public private(set) var instances: [EnclaveInstance] = []
    public private(set) var operations: [String] = []
    /// Operations (`create`, `grow`, `shrink`, `destroy`) that fail next, once each.
    public var failing: [String] = []

    public init() {}

    public func observeEnclaves() throws -> EnclaveObservation { EnclaveObservation(instances: instances) }

    private func check(_ operation: String, _ name: String) throws(EnclaveError) {
        operations.append("\(operation) \(name)")
        if let i = failing.firstIndex(of: operation) {
            failing.remove(at: i)
            throw EnclaveError(.toolFailed, "\(operation) \(name): injected failure")
        }
    }

    public func create(_ request: EnclaveRequest) throws(EnclaveError) -> EnclaveInstance {
        try check("create", request.name)
        guard !instances.contains(where: { $0.name == request.name }) else { throw EnclaveError(.busy, "\(request.name) exists") }
        let handle = String((0...).first { n in !instances.contains { $0.instance == String(n) } }!)
        let inst = EnclaveInstance(
            driver: driver, instance: handle, name: request.name, state: "RUNNING", cpus: request.cpus, memory: request.memory,
            image: request.image, args: request.args)
        instances.append(inst)
        return inst
    }

    public func grow(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        try check("grow", name)
        guard let i = instances.firstIndex(where: { $0.name == name }) else { throw EnclaveError(.notFound, name) }
        instances[i].cpus.formUnion(cpus)
        instances[i].memory = MemoryChunk.merged(instances[i].memory + memory)
        return instances[i]
    }

    public func shrink(_ name: String, cpus: CPUSet, memory: [MemoryChunk]) throws(EnclaveError) -> EnclaveInstance {
        try check("shrink", name)
        guard let i = instances.firstIndex(where: { $0.name == name }) else { throw EnclaveError(.notFound, name) }
        instances[i].cpus = instances[i].cpus.subtracting(cpus)
        return instances[i]
    }

    public func destroy(_ name: String) throws(EnclaveError) {
        try check("destroy", name)
        instances.removeAll { $0.name == name }
    }

    public func destroy(instance: String) throws(EnclaveError) {
        try check("destroy", instance)
        instances.removeAll { $0.instance == instance }
    }
}
