import SosplanCore

/// How the apply engine reads units back: the state before a step (its
/// prior) and after it (its check), and the whole systemd state an
/// observation of the host includes.
public protocol UnitReader: AnyObject, SystemdStateSource {
    /// Units in the given order; one systemd does not know is `not-found`.
    func observeUnits(_ names: [String]) throws(SystemdError) -> [SystemdUnit]
}

extension UnitReader {
    public func observeUnit(_ name: String) throws(SystemdError) -> SystemdUnit { try observeUnits([name])[0] }
}

/// Everything the apply engine needs of systemd, and a count of the calls
/// that could change it (the idempotence contract: a second apply of the
/// same layout makes none).
public protocol SystemdControl: SliceControl, UnitControl, UnitReader, UnitLifecycle {
    var mutatingCallCount: Int { get }
}
