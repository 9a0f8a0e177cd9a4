import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// What executors share: the host's drivers, each with the failure that
/// says why a step cannot use it, and the checks of what a driver reports.
extension ApplyHost {
    func systemdControl() throws(StepFailure) -> any SystemdControl {
        guard let d = systemd else {
            throw StepFailure("this step changes systemd, but sosplan has no connection to it (--no-systemd?)")
        }
        return d
    }

    /// A systemd call whose failure fails the step.
    func systemdCall<T>(_ body: (any SystemdControl) throws(SystemdError) -> T) throws(StepFailure) -> T {
        let d = try systemdControl()
        do { return try body(d) } catch { throw StepFailure("\(error)") }
    }

    func observeUnitsOrFail(_ names: [String]) throws(StepFailure) -> [SystemdUnit] {
        let d = try systemdControl()
        do { return try d.observeUnits(names) } catch {
            throw StepFailure("cannot read \(names.joined(separator: ", ")) from systemd: \(error)")
        }
    }

    func enclaveDriver(_ kind: EnclaveDriverKind) throws(StepFailure) -> any EnclaveDriver {
        guard let d = enclaves[kind] else {
            throw StepFailure("no \(kind.rawValue) co-kernel on this host (its tools or kernel module are missing)")
        }
        return d
    }

    /// A started job is not a running service: a launcher that exits at
    /// once (its enclave went away, a bad program path) leaves the unit
    /// restarting or failed a moment later. Watch it briefly.
    func checkStaysActive(_ unit: String) throws(StepFailure) {
        usleep(unitWatch.settle)
        for _ in 0..<unitWatch.checks {
            let state = try systemdCall { d throws(SystemdError) in try d.observeUnit(unit) }.activeState ?? "unknown"
            guard state == "active" else {
                throw StepFailure(
                    "\(unit) did not stay running: a moment after it started it is \(state) "
                        + "(see `journalctl -u \(unit)`)")
            }
            usleep(unitWatch.interval)
        }
    }
}

/// How long a unit that just started is watched before it counts as running.
public struct UnitWatch: Sendable {
    /// Microseconds before the first look, between looks, and how many looks.
    public var settle: useconds_t
    public var interval: useconds_t
    public var checks: Int

    public init(settle: useconds_t = 400_000, interval: useconds_t = 100_000, checks: Int = 3) {
        self.settle = settle
        self.interval = interval
        self.checks = checks
    }

    /// No waiting: for an in-memory systemd, whose units do not change by themselves.
    public static let immediate = UnitWatch(settle: 0, interval: 0, checks: 1)
}

/// Compares what the host reports after a step with the step's `after`.
enum StepCheck {
    static func check(_ after: PropertyMap, _ observed: PropertyMap, what: String) throws(StepFailure) {
        var wrong: [String] = []
        for (key, want) in after.entries {
            guard let have = observed[key] else { continue }
            if have != want { wrong.append("\(key) is \(show(have)), not \(show(want))") }
        }
        guard wrong.isEmpty else {
            throw StepFailure("after the change, \(what): \(wrong.joined(separator: "; "))")
        }
    }

    static func show(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s.isEmpty ? "(unrestricted)" : s
        case .null: return "(unset)"
        default: return JSONWriter.compact(v)
        }
    }
}

extension Step {
    /// The slice or unit a systemd step changes.
    var unit: String { target.unitName ?? target.description }

    /// The service of one of sosplan's own units (`sosplan-<service>.service`).
    func ownUnitService() throws(StepFailure) -> String {
        guard let service = target.ownUnitService else {
            throw StepFailure("step \(id): \(target) is not one of sosplan's own units")
        }
        return service
    }
}
