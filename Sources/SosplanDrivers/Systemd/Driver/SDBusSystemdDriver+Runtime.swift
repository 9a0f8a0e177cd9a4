import SosplanCore

extension SDBusSystemdDriver {
    /// Applies resource settings to a loaded unit at once, without touching
    /// the unit directory (`SetUnitProperties(runtime=true)`, like
    /// `systemctl set-property --runtime`): for live adjustments such as
    /// elastic growth. systemd keeps them under `/run/systemd/system.control`
    /// until the next boot, where they override unit files; sosplan's
    /// persistent operations re-assert their own values over them.
    /// Only the settings that differ are sent; nothing differs -> no call.
    public func setRuntimeResources(_ unit: String, _ resources: ResourceControl) throws(SystemdError) -> SystemdChange {
        let name = try UnitName(unit, field: "unit")
        guard name.type.hasResourceControl else {
            throw .invalidName(field: "unit", name: unit, reason: "a .\(name.type.rawValue) unit has no resource settings")
        }
        _ = try resources.settings(field: unit)  // validate before any call
        var state = try observe(name)
        guard state.loadState != "not-found" else { throw .noSuchUnit(unit: unit) }
        var actions: [SystemdChange.Action] = []
        if let action = try enforceRuntime(resources, on: name, observed: state) {
            actions.append(action)
            state = try observe(name)
        }
        return SystemdChange(unit: name.rawValue, actions: actions, disruption: actions.isEmpty ? .none : .live, state: state)
    }

    /// The low-level `SetUnitProperties` with properties sosplan does not
    /// model (D-Bus typed values, so no text reaches a unit file). The unit
    /// name is validated; systemd validates the properties and an unknown
    /// one fails with `.unknownProperty`.
    public func setProperties(_ unit: String, runtime: Bool, _ properties: [(String, DBusValue)]) throws(SystemdError) {
        let name = try UnitName(unit, field: "unit")
        for (key, _) in properties where key.isEmpty || !key.unicodeScalars.allSatisfy({ UnitName.isAllowed($0) && $0 != "." && $0 != "@" }) {
            throw .invalidValue(field: "\(unit) property", value: key, reason: "not a systemd property name")
        }
        try manager.setUnitProperties(name, runtime: runtime, properties)
    }
}
