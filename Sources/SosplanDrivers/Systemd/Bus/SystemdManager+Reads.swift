/// What to read of one unit object: its whole interface (`GetAll`, decoding
/// only the given names) or a `Get` of each named property.
struct PropertyRead {
    enum Kind {
        case all(PropertyNames?)
        case named([String])
    }

    var path: String
    var interface: String
    var unit: UnitName
    var kind: Kind
}

extension SystemdManager {
    /// Every read in one pipeline (`GetAll`s and `Get`s mixed, so that no
    /// second batch waits for the first to drain), results in order. A unit
    /// missing a named property has no entry for it.
    func read(_ reads: [PropertyRead]) throws(SystemdError) -> [[String: DBusValue]] {
        var calls: [DBusCall] = []
        calls.reserveCapacity(reads.count)
        for r in reads {
            switch r.kind {
            case .all(let only):
                calls.append(DBusCall(path: r.path, interface: Self.propertiesInterface, member: "GetAll", [.string(r.interface)], onlyProperties: only))
            case .named(let names):
                for name in names {
                    calls.append(DBusCall(path: r.path, interface: Self.propertiesInterface, member: "Get", [.string(r.interface), .string(name)]))
                }
            }
        }
        let replies: [Result<[DBusValue], DBusError>]
        do { replies = try bus.callMany(calls) } catch { throw failure(error, unit: nil, "reading unit properties") }
        var out: [[String: DBusValue]] = []
        out.reserveCapacity(reads.count)
        var next = 0
        for r in reads {
            switch r.kind {
            case .all:
                let reply = replies[next]
                next += 1
                switch reply {
                case .failure(let e): throw failure(e, unit: r.unit.rawValue, "GetAll \(r.interface)")
                case .success(let values):
                    guard let dict = values.first?.propertyDictionary else {
                        throw .unexpectedReply(operation: "GetAll \(r.interface) on \(r.unit)", detail: "not an a{sv}")
                    }
                    out.append(dict)
                }
            case .named(let names):
                var dict: [String: DBusValue] = [:]
                for name in names {
                    let reply = replies[next]
                    next += 1
                    switch reply {
                    case .failure(let e): throw failure(e, unit: r.unit.rawValue, "Get \(name)", properties: [name])
                    case .success(let values): if let v = values.first { dict[name] = v.unwrapped }
                    }
                }
                out.append(dict)
            }
        }
        return out
    }

    static let propertiesInterface = "org.freedesktop.DBus.Properties"
}
