import SosplanCore

/// What the apply engine asks of systemd for units: moving existing units
/// into slices (`unit.place/release`) and sosplan's own units for `exec:`
/// and `container:` services. Idempotent; each returns the unit as systemd
/// reports it afterwards.
public protocol UnitControl: AnyObject {
    func placeUnit(_ unit: String, inSlice slice: String) throws(SystemdError) -> SystemdChange
    func releaseUnit(_ unit: String) throws(SystemdError) -> SystemdChange
    func createUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange
    func updateUnit(_ request: ExecUnitRequest) throws(SystemdError) -> SystemdChange
    func createContainerUnit(_ request: ContainerUnitRequest) throws(SystemdError) -> SystemdChange
    func updateContainerUnit(_ request: ContainerUnitRequest, restart: Bool) throws(SystemdError) -> SystemdChange
    /// Stops and removes a unit sosplan created (exec or container).
    func removeUnit(_ name: String) throws(SystemdError) -> SystemdChange
    /// True when `name` has a unit file sosplan wrote for a service (an
    /// undo rewrites it; without one it creates it again).
    func hasOwnUnitFile(_ name: String) throws(SystemdError) -> Bool
}
