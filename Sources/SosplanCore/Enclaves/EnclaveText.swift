/// Checks for every string sosplan hands to a co-kernel tool or puts in a
/// unit's command line. Nothing is escaped: a value that does not pass is
/// refused with a reason.
public enum EnclaveText {
    /// An absolute path without NUL, newline or carriage return.
    public static func checkAbsolutePath(_ value: String, field: String) throws(EnclaveTextError) {
        guard value.hasPrefix("/") else {
            throw EnclaveTextError(field: field, value: value, reason: "must be an absolute path (start with /)")
        }
        try checkArgument(value, field: field)
    }

    /// One argument: no NUL, newline or carriage return (a tool or unit file
    /// would split or truncate it).
    public static func checkArgument(_ value: String, field: String) throws(EnclaveTextError) {
        for scalar in value.unicodeScalars where scalar == "\0" || scalar == "\n" || scalar == "\r" {
            let name = scalar == "\0" ? "NUL" : scalar == "\n" ? "newline" : "carriage return"
            throw EnclaveTextError(field: field, value: value, reason: "must not contain a \(name) character")
        }
    }

    /// A DNS label (the layout's rule for enclave names): 1-63 of `a-z 0-9 -`,
    /// not starting or ending with `-`.
    public static func checkName(_ value: String) throws(EnclaveTextError) {
        let ok = !value.isEmpty && value.count <= 63 && value.first != "-" && value.last != "-"
            && value.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard ok else {
            throw EnclaveTextError(
                field: "name", value: value, reason: "must be a DNS label (a-z, 0-9, '-', at most 63 characters)")
        }
    }
}

extension EnclaveText {
    /// A POSIX group name as shadow-utils accepts it (`useradd`'s default
    /// rule): 1-32 of `a-z 0-9 _ -`, starting with a letter or `_`.
    public static func checkGroupName(_ value: String, field: String) throws(EnclaveTextError) {
        let scalars = Array(value.unicodeScalars)
        let ok = !scalars.isEmpty && scalars.count <= 32
            && (("a"..."z").contains(scalars[0]) || scalars[0] == "_")
            && scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
        guard ok else {
            throw EnclaveTextError(
                field: field, value: value,
                reason: "must be a group name (a-z, 0-9, '_', '-', starting with a letter or '_', at most 32 characters)")
        }
    }
}

/// A value refused by `EnclaveText`, naming the field and the reason.
public struct EnclaveTextError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var value: String
    public var reason: String

    public init(field: String, value: String, reason: String) {
        self.field = field
        self.value = value
        self.reason = reason
    }

    public var description: String {
        let shown = value.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }
            .joined()
        return "\(field) '\(shown)' \(reason)"
    }
}

/// Tool output that does not have the documented format.
public struct EnclaveFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var what: String
    public var text: String

    public init(what: String, text: String) {
        self.what = what
        self.text = text
    }

    public var description: String { "unexpected \(what): '\(text.trimmingASCIIWhitespace())'" }
}
