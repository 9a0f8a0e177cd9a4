/// A D-Bus value as sosplan sends it to and reads it from systemd: plain
/// Swift data, so that only `SDBusConnection` ever touches `sd_bus_message`.
///
/// Arrays carry their element signature so that an empty array still has a
/// type on the wire (`a(sv)` with no properties, `ay` that resets a cpuset).
public indirect enum DBusValue: Hashable, Sendable {
    case byte(UInt8)
    case bool(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    case unixFD(Int32)
    /// `ay`, read and written in one piece (cpuset bitmaps).
    case bytes([UInt8])
    /// `a<element>`; dictionaries are arrays of `.dictEntry`.
    case array(element: String, [DBusValue])
    case structure([DBusValue])
    case dictEntry(DBusValue, DBusValue)
    case variant(DBusValue)

    /// The D-Bus type signature of this value.
    public var signature: String {
        switch self {
        case .byte: return "y"
        case .bool: return "b"
        case .int16: return "n"
        case .uint16: return "q"
        case .int32: return "i"
        case .uint32: return "u"
        case .int64: return "x"
        case .uint64: return "t"
        case .double: return "d"
        case .string: return "s"
        case .objectPath: return "o"
        case .signature: return "g"
        case .unixFD: return "h"
        case .bytes: return "ay"
        case .array(let element, _): return "a" + element
        case .structure(let fields): return "(" + fields.map(\.signature).joined() + ")"
        case .dictEntry(let k, let v): return "{" + k.signature + v.signature + "}"
        case .variant: return "v"
        }
    }

    /// systemd's property list `a(sv)`, in the given order.
    public static func properties(_ pairs: [(String, DBusValue)]) -> DBusValue {
        .array(element: "(sv)", pairs.map { .structure([.string($0.0), .variant($0.1)]) })
    }

    /// `as`.
    public static func strings(_ values: [String]) -> DBusValue {
        .array(element: "s", values.map { .string($0) })
    }
}

extension DBusValue {
    /// The value inside any number of variants.
    public var unwrapped: DBusValue {
        if case .variant(let inner) = self { return inner.unwrapped }
        return self
    }

    public var stringValue: String? {
        switch unwrapped {
        case .string(let s), .objectPath(let s), .signature(let s): return s
        default: return nil
        }
    }

    public var uint64Value: UInt64? {
        switch unwrapped {
        case .uint64(let v): return v
        case .uint32(let v): return UInt64(v)
        case .uint16(let v): return UInt64(v)
        case .byte(let v): return UInt64(v)
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = unwrapped { return b }
        return nil
    }

    /// `ay` (also an `a y` that arrived element by element).
    public var bytesValue: [UInt8]? {
        switch unwrapped {
        case .bytes(let b): return b
        case .array("y", let items): return items.compactMap { if case .byte(let b) = $0 { return b } else { return nil } }
        default: return nil
        }
    }

    public var arrayValues: [DBusValue]? {
        if case .array(_, let items) = unwrapped { return items }
        return nil
    }

    public var structureFields: [DBusValue]? {
        if case .structure(let fields) = unwrapped { return fields }
        return nil
    }

    /// `as` as Swift strings.
    public var stringArray: [String]? { arrayValues?.compactMap(\.stringValue) }

    /// An `a{sv}` (as returned by `Properties.GetAll`) as a dictionary.
    public var propertyDictionary: [String: DBusValue]? {
        guard let items = arrayValues else { return nil }
        var result: [String: DBusValue] = [:]
        for item in items {
            guard case .dictEntry(let k, let v) = item, let key = k.stringValue else { return nil }
            result[key] = v.unwrapped
        }
        return result
    }
}
