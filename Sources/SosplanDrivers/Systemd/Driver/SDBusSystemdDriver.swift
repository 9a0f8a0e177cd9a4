import FoundationEssentials
import Glibc
import SosplanCore

/// sosplan's systemd driver: observes slices and units over sd-bus and
/// changes them with one method per plan action (`slice.create/update/remove`,
/// `unit.place/release`, `unit.create/update/remove`, `host.confine`).
///
/// Contracts:
/// - Every name and value is validated before any D-Bus call or file write;
///   a refused request changes nothing.
/// - Persistent changes are unit files or drop-ins in `unitDirectory`, written
///   atomically and marked `X-Sosplan-Managed=`; systemd picks them up with
///   `Reload`, which also re-applies cgroup settings of running units.
///   Runtime `SetUnitProperties` is used only where the reloaded state still
///   differs (a runtime override from earlier), so the effect is immediate.
/// - Only files with sosplan's marker are ever changed or removed.
/// - Each method returns the state observed afterwards and is idempotent: a
///   second identical call performs no action and reports `changed == false`.
///
/// Owns one `SDBusConnection`; not `Sendable`: use it from one thread.
public final class SDBusSystemdDriver: SystemdStateSource {
    public let unitDirectory: UnitDirectory
    let manager: SystemdManager

    /// Connects to systemd.
    ///
    /// - Parameters:
    ///   - busAddress: nil for the system bus (honours
    ///     `$DBUS_SYSTEM_BUS_ADDRESS`), or `unix:path=...`; a path ending in
    ///     `/systemd/private` is PID 1's private socket.
    ///   - unitDirectory: where sosplan's unit files and drop-ins go; must be
    ///     one of the running systemd's unit directories
    ///     (default `/etc/systemd/system`).
    ///   - jobTimeout: seconds a start/stop/restart may take.
    public init(
        busAddress: String?, unitDirectory: URL = URL(fileURLWithPath: "/etc/systemd/system"),
        jobTimeout: Double = 90
    ) throws(SystemdError) {
        manager = SystemdManager(bus: try SDBusConnection(address: busAddress), jobTimeout: jobTimeout)
        self.unitDirectory = UnitDirectory(url: unitDirectory)
    }

    /// The bus the driver talks to.
    public var busAddress: String { manager.bus.address }

    /// Calls sent over the driver's connection that can change systemd
    /// (`SetUnitProperties`, jobs, `Reload`...); reads are not counted.
    public var mutatingCallCount: Int { manager.bus.mutatingCallCount }

    /// Every method call sent over the driver's connection so far, by member
    /// (`GetAll`, `Get`, `SetUnitProperties`...).
    public var sentCalls: [String: Int] { manager.bus.sentCalls }

    // MARK: shared steps

    /// Writes rendered files; returns the actions for those that changed.
    func write(_ files: [(relative: String, file: UnitFile)], unit: UnitName) throws(SystemdError) -> [SystemdChange.Action] {
        var actions: [SystemdChange.Action] = []
        for f in files where try unitDirectory.write(f.file.render(), to: f.relative, unit: unit.rawValue) {
            actions.append(.wroteFile(unitDirectory.fileURL(f.relative).path))
        }
        return actions
    }

    /// Fails with `.notManaged` before anything is written when a path sosplan
    /// would write holds someone else's file.
    func requireWritable(_ relative: String, unit: UnitName) throws(SystemdError) {
        if try unitDirectory.state(relative) == .foreign {
            throw .notManaged(unit: unit.rawValue, path: unitDirectory.fileURL(relative).path, reason: "exists and was not written by sosplan")
        }
    }

    /// Reloads systemd when files changed, or when systemd says one of `units`
    /// changed on disk since it loaded them (`NeedDaemonReload`, e.g. after an
    /// apply that wrote a file but was interrupted before its reload). Returns
    /// the indices of `units` the reload was for.
    func reloadIfNeeded(_ units: [UnitName], changed: [Bool]) throws(SystemdError) -> Set<Int> {
        var due = Set(changed.indices.filter { changed[$0] })
        if due.isEmpty {
            for (i, unit) in units.enumerated() {
                guard let path = try manager.loadedUnitPath(unit) else { continue }
                let value = try manager.property(path, interface: SystemdManager.unitInterface, name: "NeedDaemonReload", unit: unit)
                if value.boolValue == true { due.insert(i) }
            }
        }
        if !due.isEmpty { try reload() }
        return due
    }

    /// `Reload`, once what sosplan wrote or removed is durable.
    func reload() throws(SystemdError) {
        try unitDirectory.syncChanges()
        try manager.reload()
    }

    /// Sets at runtime whatever of `resources` systemd does not report after
    /// a reload (a runtime override from earlier masks a file), and returns
    /// the action, if any.
    func enforceRuntime(_ resources: ResourceControl, on unit: UnitName, observed: SystemdUnit) throws(SystemdError) -> SystemdChange.Action? {
        let differing = resources.mismatches(in: observed)
        guard !differing.isEmpty else { return nil }
        let subset = resources.restricted(to: Set(differing))
        try manager.setUnitProperties(unit, runtime: true, try subset.busProperties(field: unit.rawValue))
        return .setRuntime(differing)
    }

    /// `Properties.Get` of any property of a unit (the type's interface, or
    /// `org.freedesktop.systemd1.Unit` for the common ones). For diagnostics
    /// and properties `SystemdUnit` does not carry.
    public func property(_ name: String, of unit: String, interface: String? = nil) throws(SystemdError) -> DBusValue {
        let u = try UnitName(unit)
        let path = try manager.unitPath(u)
        return try manager.property(path, interface: interface ?? u.type.interface, name: name, unit: u)
    }
}
