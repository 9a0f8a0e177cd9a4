import CSystemd
import FoundationEssentials
import Glibc

/// Converts between `DBusValue` and an `sd_bus_message*` with the fixed-arity
/// sd-bus calls. Only `SDBusConnection` uses it, on messages it owns.
enum SDBusMessage {
    private static func code(_ c: Character) -> CChar { CChar(bitPattern: c.asciiValue!) }

    private static func check(_ r: Int32, _ what: @autoclosure () -> String) throws(DBusError) {
        if r < 0 { throw DBusError(errno: r, doing: what()) }
    }

    // MARK: writing

    static func append(_ value: DBusValue, to m: OpaquePointer) throws(DBusError) {
        switch value {
        case .byte(var v): try check(sd_bus_message_append_basic(m, code("y"), &v), "append y")
        case .bool(let b):
            var v: Int32 = b ? 1 : 0  // sd-bus takes booleans as int
            try check(sd_bus_message_append_basic(m, code("b"), &v), "append b")
        case .int16(var v): try check(sd_bus_message_append_basic(m, code("n"), &v), "append n")
        case .uint16(var v): try check(sd_bus_message_append_basic(m, code("q"), &v), "append q")
        case .int32(var v): try check(sd_bus_message_append_basic(m, code("i"), &v), "append i")
        case .uint32(var v): try check(sd_bus_message_append_basic(m, code("u"), &v), "append u")
        case .int64(var v): try check(sd_bus_message_append_basic(m, code("x"), &v), "append x")
        case .uint64(var v): try check(sd_bus_message_append_basic(m, code("t"), &v), "append t")
        case .double(var v): try check(sd_bus_message_append_basic(m, code("d"), &v), "append d")
        case .unixFD(var v): try check(sd_bus_message_append_basic(m, code("h"), &v), "append h")
        case .string(let s): try appendString(s, type: "s", to: m)
        case .objectPath(let s): try appendString(s, type: "o", to: m)
        case .signature(let s): try appendString(s, type: "g", to: m)
        case .bytes(let bytes):
            let r = bytes.withUnsafeBytes { sd_bus_message_append_array(m, code("y"), $0.baseAddress, $0.count) }
            try check(r, "append ay")
        case .array(let element, let items):
            try container("a", element, m) { () throws(DBusError) in for item in items { try append(item, to: m) } }
        case .structure(let fields):
            let inner = String(value.signature.dropFirst().dropLast())
            try container("r", inner, m) { () throws(DBusError) in for f in fields { try append(f, to: m) } }
        case .dictEntry(let k, let v):
            try container("e", k.signature + v.signature, m) { () throws(DBusError) in
                try append(k, to: m)
                try append(v, to: m)
            }
        case .variant(let inner):
            try container("v", inner.signature, m) { () throws(DBusError) in try append(inner, to: m) }
        }
    }

    private static func appendString(_ s: String, type: Character, to m: OpaquePointer) throws(DBusError) {
        // sd-bus refuses embedded NULs itself; the validators refuse them earlier.
        let r = s.withCString { sd_bus_message_append_basic(m, code(type), $0) }
        try check(r, "append \(type) '\(s)'")
    }

    private static func container(
        _ type: Character, _ contents: String, _ m: OpaquePointer, _ body: () throws(DBusError) -> Void
    ) throws(DBusError) {
        try check(sd_bus_message_open_container(m, code(type), contents), "open \(type)\(contents)")
        try body()
        try check(sd_bus_message_close_container(m), "close \(type)\(contents)")
    }

    // MARK: reading

    /// All values of a message body.
    static func readAll(_ m: OpaquePointer) throws(DBusError) -> [DBusValue] {
        var values: [DBusValue] = []
        while let v = try read(m) { values.append(v) }
        return values
    }

    /// A `Properties.GetAll` reply (`a{sv}`) decoding only the `wanted`
    /// properties and skipping the rest unread (systemd sends a hundred or
    /// more per interface); returned as one `a{sv}` value like `readAll`.
    static func readProperties(_ m: OpaquePointer, only wanted: PropertyNames) throws(DBusError) -> [DBusValue] {
        try check(sd_bus_message_enter_container(m, code("a"), "{sv}"), "enter a{sv}")
        var entries: [DBusValue] = []
        while true {
            let r = sd_bus_message_enter_container(m, code("e"), "sv")
            try check(r, "enter {sv}")
            if r == 0 { break }
            var p: UnsafePointer<CChar>?
            try check(sd_bus_message_read_basic(m, code("s"), &p), "read string")
            if let p, let name = wanted.match(p), let value = try read(m) {
                entries.append(.dictEntry(.string(name), value))
            } else {
                try check(sd_bus_message_skip(m, "v"), "skip \(p.map { String(cString: $0) } ?? "")")
            }
            try check(sd_bus_message_exit_container(m), "exit {sv}")
        }
        try check(sd_bus_message_exit_container(m), "exit a{sv}")
        return [.array(element: "{sv}", entries)]
    }

    /// The next value, or nil at the end of the current container.
    static func read(_ m: OpaquePointer) throws(DBusError) -> DBusValue? {
        var type: CChar = 0
        var contentsPointer: UnsafePointer<CChar>?
        let r = sd_bus_message_peek_type(m, &type, &contentsPointer)
        try check(r, "peek")
        if r == 0 { return nil }
        let contents = contentsPointer.map { String(cString: $0) } ?? ""
        switch UInt8(bitPattern: type) {
        case UInt8(ascii: "y"): return .byte(try basic(m, type, UInt8(0)))
        case UInt8(ascii: "b"): return .bool(try basic(m, type, Int32(0)) != 0)
        case UInt8(ascii: "n"): return .int16(try basic(m, type, Int16(0)))
        case UInt8(ascii: "q"): return .uint16(try basic(m, type, UInt16(0)))
        case UInt8(ascii: "i"): return .int32(try basic(m, type, Int32(0)))
        case UInt8(ascii: "u"): return .uint32(try basic(m, type, UInt32(0)))
        case UInt8(ascii: "x"): return .int64(try basic(m, type, Int64(0)))
        case UInt8(ascii: "t"): return .uint64(try basic(m, type, UInt64(0)))
        case UInt8(ascii: "d"): return .double(try basic(m, type, Double(0)))
        case UInt8(ascii: "h"): return .unixFD(try basic(m, type, Int32(0)))
        case UInt8(ascii: "s"): return .string(try string(m, type))
        case UInt8(ascii: "o"): return .objectPath(try string(m, type))
        case UInt8(ascii: "g"): return .signature(try string(m, type))
        case UInt8(ascii: "a"):
            if contents == "y" { return .bytes(try byteArray(m)) }
            return .array(element: contents, try inside(m, type, contents))
        case UInt8(ascii: "r"): return .structure(try inside(m, type, contents))
        case UInt8(ascii: "e"):
            let pair = try inside(m, type, contents)
            guard pair.count == 2 else { throw DBusError(name: "sosplan.BadMessage", message: "dict entry with \(pair.count) fields") }
            return .dictEntry(pair[0], pair[1])
        case UInt8(ascii: "v"):
            let inner = try inside(m, type, contents)
            guard let v = inner.first else { throw DBusError(name: "sosplan.BadMessage", message: "empty variant") }
            return .variant(v)
        default:
            throw DBusError(name: "sosplan.BadMessage", message: "unsupported D-Bus type '\(Character(UnicodeScalar(UInt8(bitPattern: type))))'")
        }
    }

    private static func basic<T>(_ m: OpaquePointer, _ type: CChar, _ initial: T) throws(DBusError) -> T {
        var v = initial
        try check(withUnsafeMutablePointer(to: &v) { sd_bus_message_read_basic(m, type, $0) }, "read")
        return v
    }

    private static func string(_ m: OpaquePointer, _ type: CChar) throws(DBusError) -> String {
        var p: UnsafePointer<CChar>?
        try check(sd_bus_message_read_basic(m, type, &p), "read string")
        return p.map { String(cString: $0) } ?? ""
    }

    private static func byteArray(_ m: OpaquePointer) throws(DBusError) -> [UInt8] {
        var p: UnsafeRawPointer?
        var n = 0
        try check(sd_bus_message_read_array(m, code("y"), &p, &n), "read ay")
        guard let p, n > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    private static func inside(_ m: OpaquePointer, _ type: CChar, _ contents: String) throws(DBusError) -> [DBusValue] {
        try check(sd_bus_message_enter_container(m, type, contents), "enter \(contents)")
        let values = try readAll(m)
        try check(sd_bus_message_exit_container(m), "exit \(contents)")
        return values
    }
}
