import SosplanCore

/// What the apply engine asks of systemd for slices: sosplan's own slices
/// and drop-ins on others' (`slice.*`), and the host's confinement
/// (`host.confine`). Every call is idempotent and returns each unit as
/// systemd reports it afterwards. `SDBusSystemdDriver` is the real one; the
/// tests' in-memory systemd behaves the same.
public protocol SliceControl: AnyObject {
    /// Creates or updates many slices with one daemon-reload.
    func applySlices(_ requests: [SliceRequest]) throws(SystemdError) -> [SystemdChange]
    /// Removes many slices (sosplan's files and drop-ins only) with one daemon-reload.
    func removeSlices(_ names: [String]) throws(SystemdError) -> [SystemdChange]
    /// `init.scope`, `system.slice` and `user.slice` restricted to `cpus`.
    func confineHost(to cpus: CPUSet) throws(SystemdError) -> [SystemdChange]
    /// Undoes `confineHost`.
    func unconfineHost() throws(SystemdError) -> [SystemdChange]
}
