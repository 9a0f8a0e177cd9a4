import SosplanCore

/// A systemd unit name that passed sosplan's checks, so that it is safe as a
/// file name in the unit directory, as a value in a unit file and as a D-Bus
/// argument. Checked before any call or file write.
///
/// Stricter than systemd where systemd would accept something surprising:
/// `\x2d`-style escapes are refused (a layout names units literally), so are
/// `..` and names starting with `.` or `-` (other than the root slice).
public struct UnitName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public let type: UnitType

    /// systemd's `UNIT_NAME_MAX` (256 including the terminating NUL).
    public static let maximumLength = 255

    /// Validates `name`; `field` says where it came from, for the message.
    public init(_ name: String, field: String = "unit") throws(SystemdError) {
        func refuse(_ reason: String) -> SystemdError { .invalidName(field: field, name: name, reason: reason) }
        if name.isEmpty { throw refuse("it is empty") }
        if name.utf8.count > Self.maximumLength {
            throw refuse("it has \(name.utf8.count) bytes, systemd allows at most \(Self.maximumLength)")
        }
        if let bad = name.unicodeScalars.first(where: { !Self.isAllowed($0) }) {
            let shown = ControlCharacters.escaped(String(bad))
            if bad == "/" { throw refuse("it contains a path separator '/'") }
            if bad == "\\" { throw refuse("escapes such as \\x2d are not accepted; write the name literally") }
            throw refuse("'\(shown)' is outside systemd's alphabet [A-Za-z0-9:_.-@]")
        }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else {
            throw refuse("it needs a type suffix such as .service or .slice")
        }
        let suffix = String(name[name.index(after: dot)...])
        guard let type = UnitType(rawValue: suffix) else {
            throw refuse("'.\(suffix)' is not a unit type (\(UnitType.allCases.map { "." + $0.rawValue }.joined(separator: " ")))")
        }
        let prefix = name[..<dot]
        // One pass over the bytes (the alphabet above is ASCII): names are
        // checked for every unit of every observe, hundreds per run.
        var ats = 0, doubleDot = false, doubleDash = false
        var previous: UInt8 = 0
        for byte in prefix.utf8 {
            if byte == UInt8(ascii: "@") { ats += 1 }
            if byte == previous && byte == UInt8(ascii: ".") { doubleDot = true }
            if byte == previous && byte == UInt8(ascii: "-") { doubleDash = true }
            previous = byte
        }
        // The dot before the suffix makes ".." with a prefix ending in '.'.
        if doubleDot || previous == UInt8(ascii: ".") { throw refuse("it contains '..'") }
        if prefix.first == "." { throw refuse("it starts with '.'") }
        if prefix.first == "-" && name != "-.slice" { throw refuse("it starts with '-'") }
        if ats > 1 { throw refuse("it contains more than one '@'") }
        if ats == 1 {
            if prefix.first == "@" { throw refuse("a template needs a name before '@'") }
            if prefix.last == "@" { throw refuse("'\(name)' is a template; name an instance such as \(prefix)1.\(suffix)") }
        }
        if type == .slice && name != "-.slice" {
            if prefix.last == "-" || doubleDash {
                throw refuse("a slice name cannot end in '-' or contain '--' (a dash separates parent slices)")
            }
            if ats > 0 { throw refuse("slice names cannot contain '@'") }
        }
        rawValue = name
        self.type = type
    }

    static func isAllowed(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", ":", "_", ".", "-", "@": return true
        default: return false
        }
    }

    public var description: String { rawValue }

    public static func < (a: UnitName, b: UnitName) -> Bool { a.rawValue < b.rawValue }

    /// The cgroup path systemd gives this slice (`a-b.slice` ->
    /// `/a.slice/a-b.slice`); nil for other unit types.
    public var sliceCgroupPath: String? {
        guard type == .slice else { return nil }
        if rawValue == "-.slice" { return "/" }
        let parts = rawValue.dropLast(".slice".count).split(separator: "-")
        var path = ""
        for i in parts.indices {
            path += "/" + parts[...i].joined(separator: "-") + ".slice"
        }
        return path
    }
}

/// The unit types systemd knows, with what sosplan needs per type.
public enum UnitType: String, CaseIterable, Sendable {
    case service, socket, device, mount, automount, swap, target, path, timer, slice, scope

    /// The type-specific D-Bus interface (`org.freedesktop.systemd1.Service`).
    public var interface: String { "org.freedesktop.systemd1." + rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// The unit file section for the type's settings (`[Service]`).
    public var section: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }

    /// True for types that have cgroup properties (AllowedCPUs, MemoryMax, ...).
    public var hasResourceControl: Bool { [.service, .socket, .mount, .swap, .slice, .scope].contains(self) }

    /// True for types whose `Slice=` a drop-in may set (scopes get theirs at creation).
    public var canBePlaced: Bool { [.service, .socket, .mount, .swap].contains(self) }
}
