import SosplanCore
import SosplanDrivers

/// What a step's target looked like just before the step ran. It is
/// written to the journal before the step starts, so the step can be
/// undone after it failed, and after a crash even in the middle of it:
/// every undo restores this state, which is safe whether the step ran
/// fully, partly or not at all.
public struct StepPrior: Codable, Sendable, Hashable {
    /// Slices and units the step changes (systemd steps).
    public var units: [SystemdUnit]?
    /// Which of the step's CPUs were online (`cpu.*`).
    public var onlineCPUs: CPUSet?
    /// Which of the step's memory blocks were online (`memory.*`).
    public var onlineBlocks: IDSet?
    /// The hugepage pool's size (`hugepages.set`).
    public var hugepages: Int?
    /// The enclave, and its co-kernel's reserved pool (`enclave.*`).
    public var enclave: EnclaveInstance?
    public var pool: EnclavePool?
    /// Handles of the co-kernel's unnamed instances before the step (an
    /// interrupted create can leave one more, which its undo shuts down).
    public var unnamedInstances: [String]?
    /// The prior of a family whose executor keeps its own record (its own
    /// `Codable` type, beside the executor): `store` and `stored`.
    public var record: JSONValue?

    public init() {}

    /// Keeps an executor's own record of the state before its step.
    mutating func store<T: Encodable>(_ value: T) throws(StepFailure) {
        do { record = try JSONValueEncoder().encode(value) } catch {
            throw StepFailure("cannot record the state before the step: \(error)")
        }
    }

    /// The record `store` kept, if it reads as `T`.
    func stored<T: Decodable>(_ type: T.Type) -> T? {
        record.flatMap { try? JSONValueDecoder().decode(type, from: $0) }
    }

    init(units: [SystemdUnit]) { self.units = units }

    func unit(_ name: String) -> SystemdUnit? { units?.first { $0.name == name } }
}
