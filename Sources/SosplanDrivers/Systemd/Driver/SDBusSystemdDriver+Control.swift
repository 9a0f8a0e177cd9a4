import SosplanCore

/// The driver is the real systemd behind the apply engine's protocols
/// (`SliceControl`, `UnitControl`, `UnitReader`); each requirement is one
/// of its methods as they were.
extension SDBusSystemdDriver: SystemdControl {
    public func hasOwnUnitFile(_ name: String) throws(SystemdError) -> Bool {
        if case .managed = try unitDirectory.state(name) { return true }
        return false
    }
}
