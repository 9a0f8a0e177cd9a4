extension SystemdManager {
    /// `Properties.Get` of each named property on many unit objects
    /// (pipelined), in order. A unit missing a property has no entry for it.
    func properties(
        of units: [(path: String, interface: String, unit: UnitName)], named names: [String]
    ) throws(SystemdError) -> [[String: DBusValue]] {
        var calls: [DBusCall] = []
        calls.reserveCapacity(units.count * names.count)
        for u in units {
            for name in names {
                calls.append(DBusCall(path: u.path, interface: "org.freedesktop.DBus.Properties", member: "Get", [.string(u.interface), .string(name)]))
            }
        }
        let replies: [Result<[DBusValue], DBusError>]
        do { replies = try bus.callMany(calls) } catch { throw failure(error, unit: nil, "Get") }
        var out: [[String: DBusValue]] = []
        out.reserveCapacity(units.count)
        for (i, u) in units.enumerated() {
            var dict: [String: DBusValue] = [:]
            for (j, name) in names.enumerated() {
                switch replies[i * names.count + j] {
                case .failure(let e): throw failure(e, unit: u.unit.rawValue, "Get \(name)", properties: [name])
                case .success(let values): if let v = values.first { dict[name] = v.unwrapped }
                }
            }
            out.append(dict)
        }
        return out
    }
}
