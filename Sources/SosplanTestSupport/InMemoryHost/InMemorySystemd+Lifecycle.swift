import SosplanCore
import SosplanDrivers

/// Start and stop jobs on any unit systemd knows (the kubelet's).
extension InMemorySystemd {
    public func startUnit(_ name: String) throws(SystemdError) {
        _ = try UnitName(name, field: "unit")
        try job(.start, name)
    }

    public func stopUnit(_ name: String) throws(SystemdError) {
        _ = try UnitName(name, field: "unit")
        try job(.stop, name)
    }
}
