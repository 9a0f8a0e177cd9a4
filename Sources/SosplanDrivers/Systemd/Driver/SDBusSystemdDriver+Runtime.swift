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
        try setRuntimeResources([(unit, resources)])[0]
    }

    /// `setRuntimeResources` for many units over the one connection: one
    /// `ListUnitsByNames`, and `GetAll`/`SetUnitProperties` calls pipelined.
    /// Everything is validated first; a unit that does not exist fails the
    /// whole request before anything is set.
    public func setRuntimeResources(_ requests: [(unit: String, resources: ResourceControl)]) throws(SystemdError) -> [SystemdChange] {
        var names: [UnitName] = []
        for (unit, resources) in requests {
            let name = try UnitName(unit, field: "unit")
            guard name.type.hasResourceControl else {
                throw .invalidName(field: "unit", name: unit, reason: "a .\(name.type.rawValue) unit has no resource settings")
            }
            _ = try resources.settings(field: unit)  // validate before any call
            names.append(name)
        }
        let before = try observe(names, files: false)
        var sets: [(unit: UnitName, properties: [(String, DBusValue)])] = []
        var actions = [[SystemdChange.Action]](repeating: [], count: names.count)
        for (i, state) in before.enumerated() {
            guard state.loadState != "not-found" else { throw .noSuchUnit(unit: names[i].rawValue) }
            let differing = requests[i].resources.mismatches(in: state)
            guard !differing.isEmpty else { continue }
            let subset = requests[i].resources.restricted(to: Set(differing))
            sets.append((names[i], try subset.busProperties(field: names[i].rawValue)))
            actions[i] = [.setRuntime(differing)]
        }
        if !sets.isEmpty { try manager.setUnitProperties(sets, runtime: true) }
        let after = try observe(names)
        return after.enumerated().map { i, state in
            SystemdChange(unit: names[i].rawValue, actions: actions[i], disruption: actions[i].isEmpty ? .none : .live, state: state)
        }
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
