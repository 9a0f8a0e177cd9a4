import FoundationEssentials
import Glibc

/// Typed calls to `org.freedesktop.systemd1.Manager` and unit objects over
/// one `SDBusConnection`, with D-Bus errors turned into `SystemdError`s that
/// name the unit and the operation. Not `Sendable`, like the connection.
final class SystemdManager {
    let bus: SDBusConnection
    /// How long a start/stop/restart job may take (seconds).
    var jobTimeout: Double
    /// How long `Reload` (daemon-reload) may take (seconds).
    var reloadTimeout: Double = 120

    static let destination = "org.freedesktop.systemd1"
    static let path = "/org/freedesktop/systemd1"
    static let interface = "org.freedesktop.systemd1.Manager"
    static let unitInterface = "org.freedesktop.systemd1.Unit"

    init(bus: SDBusConnection, jobTimeout: Double) {
        self.bus = bus
        self.jobTimeout = jobTimeout
    }

    func failure(_ e: DBusError, unit: String?, _ op: String, properties: [String] = []) -> SystemdError {
        SystemdError.from(e, unit: unit, operation: op, properties: properties, address: bus.address, timeout: bus.callTimeout)
    }

    private func manager(
        _ member: String, _ args: [DBusValue], unit: String?, properties: [String] = [], timeout: Double? = nil
    ) throws(SystemdError) -> [DBusValue] {
        do {
            return try bus.call(path: Self.path, interface: Self.interface, member: member, args, timeout: timeout)
        } catch {
            throw failure(error, unit: unit, member, properties: properties)
        }
    }

    /// The object path of a loaded unit, or nil if systemd has not loaded it.
    func loadedUnitPath(_ unit: UnitName) throws(SystemdError) -> String? {
        do {
            return try manager("GetUnit", [.string(unit.rawValue)], unit: unit.rawValue).first?.stringValue
        } catch .noSuchUnit {
            return nil
        }
    }

    /// The object path of a unit, loading it if needed (`LoadUnit`; check
    /// `LoadState` afterwards: a missing unit loads as `not-found`).
    func unitPath(_ unit: UnitName) throws(SystemdError) -> String {
        if let path = try loadedUnitPath(unit) { return path }
        guard let path = try manager("LoadUnit", [.string(unit.rawValue)], unit: unit.rawValue).first?.stringValue else {
            throw .unexpectedReply(operation: "LoadUnit \(unit)", detail: "no object path")
        }
        return path
    }

    /// `Properties.GetAll` on one interface of a unit object.
    func properties(_ path: String, interface: String, unit: UnitName) throws(SystemdError) -> [String: DBusValue] {
        do {
            return try bus.allProperties(path: path, interface: interface)
        } catch {
            throw failure(error, unit: unit.rawValue, "GetAll \(interface)")
        }
    }

    /// `SetUnitProperties` for many units at once (pipelined). Every call is
    /// made; the first failure (in request order) is thrown afterwards.
    func setUnitProperties(_ requests: [(unit: UnitName, properties: [(String, DBusValue)])], runtime: Bool) throws(SystemdError) {
        let calls = requests.map {
            DBusCall(path: Self.path, interface: Self.interface, member: "SetUnitProperties",
                     [.string($0.unit.rawValue), .bool(runtime), .properties($0.properties)])
        }
        let replies: [Result<[DBusValue], DBusError>]
        do { replies = try bus.callMany(calls) } catch { throw failure(error, unit: nil, "SetUnitProperties") }
        for (reply, r) in zip(replies, requests) {
            if case .failure(let e) = reply {
                throw failure(e, unit: r.unit.rawValue, "SetUnitProperties", properties: r.properties.map(\.0))
            }
        }
    }

    /// `Properties.Get` of one property (an unknown one gives `.unknownProperty`).
    func property(_ path: String, interface: String, name: String, unit: UnitName) throws(SystemdError) -> DBusValue {
        do {
            return try bus.property(path: path, interface: interface, name: name)
        } catch {
            throw failure(error, unit: unit.rawValue, "Get \(name)", properties: [name])
        }
    }

    /// `Reload`: systemd re-reads all unit files and drop-ins and re-applies
    /// cgroup settings of realized units; the reply comes when it is done.
    func reload() throws(SystemdError) {
        _ = try manager("Reload", [], unit: nil, timeout: reloadTimeout)
    }

    /// `ResetFailedUnit(name)`: systemd forgets that a unit failed (a
    /// removed unit would otherwise linger as `failed`).
    func resetFailed(_ unit: UnitName) throws(SystemdError) {
        _ = try manager("ResetFailedUnit", [.string(unit.rawValue)], unit: unit.rawValue)
    }

    /// `SetUnitProperties(name, runtime, a(sv))`.
    func setUnitProperties(_ unit: UnitName, runtime: Bool, _ properties: [(String, DBusValue)]) throws(SystemdError) {
        _ = try manager(
            "SetUnitProperties", [.string(unit.rawValue), .bool(runtime), .properties(properties)],
            unit: unit.rawValue, properties: properties.map(\.0))
    }

    /// One row of `ListUnitsByNames`.
    struct UnitStatus {
        var name: String
        var loadState: String
        var activeState: String
        var path: String
    }

    /// `ListUnitsByNames`: loads the units if needed (a missing one comes back
    /// `not-found`) and returns their states and object paths in one call.
    func status(of units: [UnitName]) throws(SystemdError) -> [UnitStatus] {
        let reply = try manager("ListUnitsByNames", [.strings(units.map(\.rawValue))], unit: units.count == 1 ? units[0].rawValue : nil)
        // a(ssssssouso): name, description, load, active, sub, following, path, job id, job type, job path
        let rows = (reply.first?.arrayValues ?? []).compactMap { row -> UnitStatus? in
            guard let f = row.structureFields, f.count >= 7, let name = f[0].stringValue, let load = f[2].stringValue,
                let active = f[3].stringValue, let path = f[6].stringValue
            else { return nil }
            return UnitStatus(name: name, loadState: load, activeState: active, path: path)
        }
        guard rows.count == units.count else {
            throw .unexpectedReply(operation: "ListUnitsByNames", detail: "\(rows.count) rows for \(units.count) units")
        }
        return rows
    }

    /// Units systemd has loaded whose names match the shell-style patterns.
    func listUnits(patterns: [String]) throws(SystemdError) -> [String] {
        let reply = try manager("ListUnitsByPatterns", [.strings([]), .strings(patterns)], unit: nil)
        return (reply.first?.arrayValues ?? []).compactMap { $0.structureFields?.first?.stringValue }
    }

    enum JobVerb: String {
        case start = "StartUnit", stop = "StopUnit", restart = "RestartUnit"

        var word: String {
            switch self {
            case .start: return "start"
            case .stop: return "stop"
            case .restart: return "restart"
            }
        }
    }

    /// Queues a job (mode `replace`) and waits for it; anything but `done`
    /// throws `.jobFailed`.
    func run(_ verb: JobVerb, _ unit: UnitName) throws(SystemdError) {
        let result: String
        do {
            result = try bus.callJob(member: verb.rawValue, [.string(unit.rawValue), .string("replace")], timeout: jobTimeout)
        } catch {
            if error.errno == ETIMEDOUT && error.name == "org.freedesktop.DBus.Error.Timeout" {
                throw .timeout(unit: unit.rawValue, operation: verb.rawValue, seconds: jobTimeout)
            }
            throw failure(error, unit: unit.rawValue, verb.rawValue)
        }
        guard result == "done" else {
            throw .jobFailed(unit: unit.rawValue, operation: verb.word, result: result)
        }
    }
}
