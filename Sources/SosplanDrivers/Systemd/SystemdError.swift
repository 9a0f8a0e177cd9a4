import SosplanCore

/// Everything that can go wrong between sosplan and systemd, with the unit,
/// the operation and systemd's own D-Bus error name and message where there is
/// one, so that an operator can tell a missing bus from a missing unit from a
/// permission problem from a systemd too old for a property.
public enum SystemdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bus could not be opened or the connection broke.
    case busUnavailable(address: String, reason: String)
    /// systemd knows no such unit (`NoSuchUnit`, or `LoadState=not-found`).
    case noSuchUnit(unit: String)
    /// systemd or the bus policy refused the call.
    case accessDenied(unit: String?, operation: String, message: String)
    /// The running systemd does not know (or cannot set) this property.
    case unknownProperty(unit: String?, property: String, message: String)
    /// Any other D-Bus error reply.
    case callFailed(unit: String?, operation: String, name: String, message: String)
    /// A start/stop/restart job ended with a result other than `done`.
    case jobFailed(unit: String, operation: String, result: String)
    /// No reply or job result in time.
    case timeout(unit: String?, operation: String, seconds: Double)
    /// A unit name outside systemd's rules; nothing was sent or written.
    case invalidName(field: String, name: String, reason: String)
    /// A value that cannot go into a unit file or property safely; nothing was
    /// sent or written.
    case invalidValue(field: String, value: String, reason: String)
    /// A file sosplan would change or remove lacks sosplan's marker.
    case notManaged(unit: String, path: String, reason: String)
    /// A slice still holds running units and cannot be removed.
    case sliceInUse(slice: String, units: [String])
    /// Reading or writing the unit directory failed.
    case unitDirectory(path: String, reason: String)
    /// systemd answered with something sosplan cannot interpret.
    case unexpectedReply(operation: String, detail: String)

    public var description: String {
        switch self {
        case .busUnavailable(let address, let reason):
            return "cannot reach systemd on the bus \(address): \(reason)"
                + "\nhint: is systemd (and dbus-daemon) running? pass --systemd-bus ADDRESS, or --no-systemd to plan without it"
        case .noSuchUnit(let unit):
            return "systemd has no unit \(unit) (no unit file or it is not loaded)"
        case .accessDenied(let unit, let op, let message):
            return "permission denied: systemd refused \(op)\(Self.on(unit)): \(message)"
                + "\nhint: run sosplan as root, or allow it in the bus/polkit policy"
        case .unknownProperty(let unit, let property, let message):
            return "the running systemd does not know property '\(property)'\(Self.on(unit)): \(message)"
                + "\nhint: this systemd may be too old for it; check `systemctl --version`"
        case .callFailed(let unit, let op, let name, let message):
            return "systemd \(op)\(Self.on(unit)) failed: \(message) (\(name))"
        case .jobFailed(let unit, let op, let result):
            return "systemd could not \(op) \(unit): the job ended with '\(result)'"
                + "\nhint: see `journalctl -u \(unit)` or `systemctl status \(unit)`"
        case .timeout(let unit, let op, let seconds):
            return "systemd did not finish \(op)\(Self.on(unit)) within \(Int(seconds)) s"
        case .invalidName(let field, let name, let reason):
            return "\(field): '\(ControlCharacters.escaped(name))' is not a valid systemd unit name: \(reason)"
        case .invalidValue(let field, let value, let reason):
            return "\(field): '\(ControlCharacters.escaped(value))' cannot be written to a unit file: \(reason)"
        case .notManaged(let unit, let path, let reason):
            return "refusing to change \(unit): \(path) \(reason)"
                + "\nhint: sosplan only changes or removes files it wrote (they carry X-Sosplan-Managed=)"
        case .sliceInUse(let slice, let units):
            return "slice \(slice) still holds running units: \(units.joined(separator: ", "))"
                + "\nhint: release or remove those units first"
        case .unitDirectory(let path, let reason):
            return "unit directory: \(path): \(reason)"
        case .unexpectedReply(let op, let detail):
            return "unexpected reply from systemd to \(op): \(detail)"
        }
    }

    private static func on(_ unit: String?) -> String { unit.map { " on \($0)" } ?? "" }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
