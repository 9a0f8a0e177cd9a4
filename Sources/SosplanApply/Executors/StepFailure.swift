import SosplanCore
import SosplanDrivers

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
