/// A JSON document whose objects keep their key order, so that snapshots and
/// plans serialize deterministically in the order the contract shows.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func int(_ v: Int) -> JSONValue { .int(Int64(v)) }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default:
            if let x = a.integerValue, let y = b.integerValue { return x == y }
            return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .bool(let v): h.combine(v)
        case .int, .uint: h.combine(integerValue.map { "\($0)" })
        case .double(let v): h.combine(v)
        case .string(let v): h.combine(v)
        case .array(let v): h.combine(v)
        case .object(let v):
            for (k, x) in v { h.combine(k); h.combine(x) }
        }
    }

    /// Integer view across `.int` and `.uint` (as a decimal-exact pair).
    var integerValue: IntegerKey? {
        switch self {
        case .int(let v): return v < 0 ? .negative(v) : .nonNegative(UInt64(v))
        case .uint(let v): return .nonNegative(v)
        default: return nil
        }
    }

    enum IntegerKey: Hashable { case negative(Int64), nonNegative(UInt64) }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { return o } else { return nil } }
    public var int64Value: Int64? {
        switch self {
        case .int(let v): return v
        case .uint(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        case .double(let d): return d.rounded() == d && abs(d) < 9e15 ? Int64(d) : nil
        default: return nil
        }
    }
    public var uint64Value: UInt64? {
        switch self {
        case .int(let v): return v >= 0 ? UInt64(v) : nil
        case .uint(let v): return v
        case .double(let d): return d >= 0 && d.rounded() == d && d < 9e15 ? UInt64(d) : nil
        default: return nil
        }
    }
    public var intValue: Int? { int64Value.map { Int($0) } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
}
