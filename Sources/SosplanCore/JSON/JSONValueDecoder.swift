/// A `Decoder` over `JSONValue`, the counterpart of `JSONValueEncoder`; its
/// errors name the JSON path of the value at fault.
public struct JSONValueDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: ValueDecoder(value: value, parent: nil, key: nil))
    }

    /// Renders a `DecodingError` as `at path.to.field: problem`.
    public static func describe(_ error: any Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ p: [any CodingKey]) -> String {
            let s = p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return s.isEmpty ? "the top level" : String(s.drop { $0 == "." })
        }
        switch e {
        case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): missing"
        case .typeMismatch(_, let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .valueNotFound(_, let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

private struct AnyKey: CodingKey {
    private var text: String?
    var intValue: Int?
    var stringValue: String { text ?? intValue.map { "\($0)" } ?? "" }
    init(_ s: String) { text = s }
    /// An array index: its text is made only if an error shows it.
    init(index: Int) { intValue = index }
    init?(stringValue: String) { text = stringValue }
    init?(intValue: Int) { self.init(index: intValue) }
}

/// A coding path as a chain of keys, joined into an array only when an
/// error or a caller asks for it: every nested value of a snapshot
/// otherwise copied its parent's path array.
private final class CodingPathNode {
    let parent: CodingPathNode?
    let key: any CodingKey

    init(_ parent: CodingPathNode?, _ key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    static func path(_ node: CodingPathNode?) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var n = node
        while let at = n {
            keys.append(at.key)
            n = at.parent
        }
        return keys.reversed()
    }
}

private struct ValueDecoder: Decoder {
    let value: JSONValue
    /// The path is `parent` then `key` (nil at the top).
    let parent: CodingPathNode?
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { CodingPathNode.path(node) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, parent: CodingPathNode?, key: (any CodingKey)?) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    /// This value's own path, for its containers to hand to their values.
    var node: CodingPathNode? { key.map { CodingPathNode(parent, $0) } ?? parent }

    func mismatch(_ expected: String) -> DecodingError {
        .typeMismatch(
            Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected)"))
    }

    func container<Key: CodingKey>(keyedBy: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch("an object") }
        return KeyedDecodingContainer(KeyedDec<Key>(members: members, path: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch("an array") }
        return UnkeyedDec(items: items, path: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleDec(value: value, parent: parent, key: key)
    }
}

/// Scalar conversions shared by every container kind. Types are told
/// apart by comparing metatypes (a pointer test); `is` casts were dynamic
/// casts failing one by one for every compound value.
private func decodeScalar<T: Decodable>(_ type: T.Type, _ v: JSONValue, _ parent: CodingPathNode?, _ key: (any CodingKey)?) throws -> T {
    func bad(_ what: String) -> DecodingError {
        let path = CodingPathNode.path(parent) + (key.map { [$0] } ?? [])
        return .typeMismatch(T.self, .init(codingPath: path, debugDescription: "expected \(what)"))
    }
    func cast<U>(_ u: U) -> T { unsafeBitCast(u, to: T.self) }
    if T.self == String.self {
        guard case .string(let s) = v else { throw bad("a string") }
        return cast(s)
    }
    if T.self == Int.self {
        guard let x = v.intValue else { throw bad("an integer") }
        return cast(x)
    }
    if T.self == Bool.self {
        guard let b = v.boolValue else { throw bad("true or false") }
        return cast(b)
    }
    if T.self == Int64.self {
        guard let x = v.int64Value else { throw bad("an integer") }
        return cast(x)
    }
    if T.self == Int32.self {
        guard let x = v.int64Value, let y = Int32(exactly: x) else { throw bad("a 32-bit integer") }
        return cast(y)
    }
    if T.self == UInt64.self {
        guard let x = v.uint64Value else { throw bad("a non-negative integer") }
        return cast(x)
    }
    if T.self == UInt.self {
        guard let x = v.uint64Value else { throw bad("a non-negative integer") }
        return cast(UInt(x))
    }
    if T.self == UInt32.self {
        guard let x = v.uint64Value, let y = UInt32(exactly: x) else { throw bad("a 32-bit unsigned integer") }
        return cast(y)
    }
    if T.self == Double.self {
        switch v {
        case .double(let d): return cast(d)
        case .int(let i): return cast(Double(i))
        case .uint(let u): return cast(Double(u))
        default: throw bad("a number")
        }
    }
    if T.self == JSONValue.self { return cast(v) }
    return try T(from: ValueDecoder(value: v, parent: parent, key: key))
}

private struct KeyedDec<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [(String, JSONValue)]
    let path: CodingPathNode?
    /// Past a few members, a table (most objects are small: a scan is
    /// cheaper than hashing every key).
    let table: [String: JSONValue]?
    var codingPath: [any CodingKey] { CodingPathNode.path(path) }
    var allKeys: [Key] { Set(members.map(\.0)).sorted().compactMap { Key(stringValue: $0) } }

    init(members: [(String, JSONValue)], path: CodingPathNode?) {
        self.members = members
        self.path = path
        if members.count > 16 {
            var t: [String: JSONValue] = [:]
            for (k, v) in members { t[k] = v }
            table = t
        } else {
            table = nil
        }
    }

    /// The member named `name` (the last one, should a name repeat).
    func member(_ name: String) -> JSONValue? {
        if let table { return table[name] }
        let length = name.utf8.count
        var i = members.count
        while i > 0 {
            i -= 1
            if members[i].0.utf8.count == length && members[i].0 == name { return members[i].1 }
        }
        return nil
    }

    func contains(_ key: Key) -> Bool { member(key.stringValue) != nil }

    func get(_ key: Key) throws -> JSONValue {
        guard let v = member(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { member(key.stringValue)?.isNull ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeScalar(type, try get(key), path, key)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = member(key.stringValue), !v.isNull else { return nil }
        return try decodeScalar(type, v, path, key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try ValueDecoder(value: try get(key), parent: path, key: key).container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try get(key), parent: path, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(members), parent: path, key: nil) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: try get(key), parent: path, key: key)
    }
}

private struct UnkeyedDec: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let path: CodingPathNode?
    var currentIndex = 0
    var codingPath: [any CodingKey] { CodingPathNode.path(path) }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [JSONValue], path: CodingPathNode?) {
        self.items = items
        self.path = path
    }

    mutating func next() throws -> (JSONValue, AnyKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath, debugDescription: "array ended early"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], AnyKey(index: currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        if !isAtEnd, items[currentIndex].isNull { currentIndex += 1; return true }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, k) = try next()
        return try decodeScalar(type, v, path, k)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (v, k) = try next()
        return try ValueDecoder(value: v, parent: path, key: k).container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, k) = try next()
        return try ValueDecoder(value: v, parent: path, key: k).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (v, k) = try next()
        return ValueDecoder(value: v, parent: path, key: k)
    }
}

private struct SingleDec: SingleValueDecodingContainer {
    let value: JSONValue
    let parent: CodingPathNode?
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { CodingPathNode.path(parent) + (key.map { [$0] } ?? []) }
    func decodeNil() -> Bool { value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeScalar(type, value, parent, key) }
}
