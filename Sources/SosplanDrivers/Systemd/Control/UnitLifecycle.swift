import SosplanCore

/// Starting and stopping a unit sosplan does not own (the kubelet, in its
/// restart procedure). Each call waits for systemd's job to finish.
public protocol UnitLifecycle: AnyObject {
    func startUnit(_ name: String) throws(SystemdError)
    func stopUnit(_ name: String) throws(SystemdError)
}
