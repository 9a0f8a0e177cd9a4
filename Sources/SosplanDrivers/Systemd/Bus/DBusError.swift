import FoundationEssentials
import Glibc

/// A failed D-Bus call as sd-bus reports it: the error name of the reply
/// (`org.freedesktop.systemd1.NoSuchUnit`, ...) or, for local failures, the
/// errno that sd-bus maps to `System.Error.E*`.
public struct DBusError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var message: String
    /// The negative return of sd-bus as a positive errno (0 if unknown).
    public var errno: Int32

    public init(name: String, message: String, errno: Int32 = 0) {
        self.name = name
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(message) (\(name))" }

    /// True when the failure is the connection itself (the peer went away,
    /// refused us, or was never there), not a refusal by systemd.
    public var isConnectionFailure: Bool {
        [ECONNRESET, ECONNREFUSED, ENOTCONN, EPIPE, ENOENT, ESHUTDOWN, ECONNABORTED].contains(errno)
            && (name.isEmpty || name.hasPrefix("System.Error."))
    }
}

extension SystemdError {
    /// Classifies a D-Bus error for an operation on `unit`.
    ///
    /// - Parameters:
    ///   - properties: the property names the call carried, to name the one a
    ///     `PropertyReadOnly`/`UnknownProperty` error is about.
    ///   - address: the bus address, for connection failures.
    static func from(
        _ e: DBusError, unit: String?, operation: String, properties: [String] = [], address: String,
        timeout: Double = 25
    ) -> SystemdError {
        switch e.name {
        case "org.freedesktop.systemd1.NoSuchUnit":
            return .noSuchUnit(unit: unit ?? "?")
        case "org.freedesktop.systemd1.LoadFailed" where e.message.contains("not found"):
            return .noSuchUnit(unit: unit ?? "?")
        case "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
            "System.Error.EACCES", "System.Error.EPERM":
            return .accessDenied(unit: unit, operation: operation, message: e.message)
        case "org.freedesktop.DBus.Error.UnknownProperty", "org.freedesktop.DBus.Error.PropertyReadOnly":
            return .unknownProperty(
                unit: unit, property: propertyName(in: e.message, candidates: properties), message: e.message)
        case "System.Error.ETIMEDOUT", "org.freedesktop.DBus.Error.Timeout", "org.freedesktop.DBus.Error.NoReply":
            return .timeout(unit: unit, operation: operation, seconds: timeout)
        default:
            if e.isConnectionFailure { return .busUnavailable(address: address, reason: e.message) }
            return .callFailed(unit: unit, operation: operation, name: e.name, message: e.message)
        }
    }

    /// The property a message such as "Cannot set property Bogus, or unknown
    /// property." or "Unknown interface X or property Bogus." is about.
    static func propertyName(in message: String, candidates: [String]) -> String {
        if let hit = candidates.first(where: { message.contains(" \($0),") || message.contains(" \($0).") }) {
            return hit
        }
        if candidates.count == 1 { return candidates[0] }
        for marker in ["property ", "Property "] {
            if let r = message.ranges(of: marker).last {
                let word = message[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                if !word.isEmpty { return String(word) }
            }
        }
        return candidates.joined(separator: ", ")
    }
}
