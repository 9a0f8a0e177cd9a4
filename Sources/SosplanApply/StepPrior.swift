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

    public init() {}

    func unit(_ name: String) -> SystemdUnit? { units?.first { $0.name == name } }
}

/// Why a step (or its undo) failed, in words for the operator.
public struct StepFailure: Error, CustomStringConvertible, Sendable, Hashable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func from(_ error: any Error) -> StepFailure {
        if let e = error as? StepFailure { return e }
        if let e = error as? EnclaveError { return StepFailure(e.description) }
        return StepFailure("\(error)")
    }
}

/// What a step did, for progress lines and the journal.
public struct StepResult: Sendable, Hashable {
    /// The driver's actions (`wrote …`, `reloaded systemd`, `started`...).
    public var actions: [String]
    /// The argument vector a launcher unit got, once its enclave's handle was known.
    public var execStart: [String]?
    /// The unit as systemd reported it after the change (slice steps: the
    /// batch reads every slice back after the reload).
    public var observed: SystemdUnit?

    public init(actions: [String] = [], execStart: [String]? = nil, observed: SystemdUnit? = nil) {
        self.actions = actions
        self.execStart = execStart
        self.observed = observed
    }
}
