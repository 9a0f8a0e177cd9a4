import FoundationEssentials
import SosplanCore

/// What `systemctl daemon-reload`, `enable`, `disable`, `start` and `stop`
/// do, over the driver's bus connection (so that `--systemd-bus` reaches a
/// lab's systemd as well as the host's).
extension SDBusSystemdDriver {
    /// `Reload` (daemon-reload): systemd re-reads every unit file.
    public func reloadDaemon() throws(SystemdError) { try reload() }

    /// `EnableUnitFiles`: creates the `[Install]` symlinks of units found in
    /// systemd's unit path; returns what changed (`symlink A -> B`).
    public func enableUnitFiles(_ names: [String]) throws(SystemdError) -> [String] {
        let units = try names.map { (n: String) throws(SystemdError) -> UnitName in try UnitName(n) }
        let reply = try unitFileCall("EnableUnitFiles", [.strings(units.map(\.rawValue)), .bool(false), .bool(false)], units)
        // (b carries_install_info, a(sss) changes)
        return Self.changes(reply.count > 1 ? reply[1] : nil)
    }

    /// `DisableUnitFiles`: removes the `[Install]` symlinks.
    public func disableUnitFiles(_ names: [String]) throws(SystemdError) -> [String] {
        let units = try names.map { (n: String) throws(SystemdError) -> UnitName in try UnitName(n) }
        let reply = try unitFileCall("DisableUnitFiles", [.strings(units.map(\.rawValue)), .bool(false)], units)
        return Self.changes(reply.first)
    }

    /// Starts a unit and waits for its job (anything but `done` throws).
    public func startUnit(_ name: String) throws(SystemdError) { try manager.run(.start, try UnitName(name)) }

    /// Stops a unit and waits for its job.
    public func stopUnit(_ name: String) throws(SystemdError) { try manager.run(.stop, try UnitName(name)) }

    /// `UnitFileState` as systemd reports it (`enabled`, `disabled`...), or
    /// nil when the unit has no file.
    public func unitFileState(_ name: String) throws(SystemdError) -> String? {
        let state = try property("UnitFileState", of: name, interface: SystemdManager.unitInterface).stringValue
        return state?.isEmpty == false ? state : nil
    }

    private func unitFileCall(_ member: String, _ args: [DBusValue], _ units: [UnitName]) throws(SystemdError) -> [DBusValue] {
        do {
            return try manager.bus.call(path: SystemdManager.path, interface: SystemdManager.interface, member: member, args)
        } catch {
            throw SystemdError.from(
                error, unit: units.map(\.rawValue).joined(separator: " "), operation: member, address: manager.bus.address,
                timeout: manager.bus.callTimeout)
        }
    }

    /// `a(sss)`: (type, file, destination) per change.
    static func changes(_ value: DBusValue?) -> [String] {
        (value?.arrayValues ?? []).compactMap { row in
            guard let f = row.structureFields, f.count == 3, let type = f[0].stringValue, let file = f[1].stringValue else {
                return nil
            }
            let destination = f[2].stringValue ?? ""
            return destination.isEmpty ? "\(type) \(file)" : "\(type) \(file) -> \(destination)"
        }
    }
}

extension SDBusSystemdDriver {
    /// Restarts a unit (starts it if inactive) and waits for its job.
    public func restartUnit(_ name: String) throws(SystemdError) { try manager.run(.restart, try UnitName(name)) }
}
