/// An `Encoder` that builds a `JSONValue` keeping keys in the order
/// `encode(to:)` writes them (declaration order for synthesized conformances),
/// which Foundation's `JSONEncoder` does not guarantee.
public struct JSONValueEncoder {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let box = Box()
        try value.encode(to: ValueEncoder(box: box, codingPath: []))
        return box.resolved
    }
}

/// Mutable cell for a JSON value under construction; containers write into it.
final class Box {
    var value: JSONValue?
    var keyed: [(String, Box)]?
    var unkeyed: [Box]?

    init(_ value: JSONValue? = nil) { self.value = value }

    /// Resolves nested boxes into a finished value.
    var resolved: JSONValue {
        if let keyed { return .object(keyed.map { ($0.0, $0.1.resolved) }) }
        if let unkeyed { return .array(unkeyed.map(\.resolved)) }
        return value ?? .null
    }
}

private struct ValueEncoder: Encoder {
    let box: Box
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy: Key.Type) -> KeyedEncodingContainer<Key> {
        if box.keyed == nil { box.keyed = [] }
        return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath, root: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if box.unkeyed == nil { box.unkeyed = [] }
        return Unkeyed(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(box: box, codingPath: codingPath)
    }

    /// Encodes a nested value into a fresh box.
    static func encodeNested<T: Encodable>(_ v: T, path: [any CodingKey]) throws -> Box {
        if let direct = scalar(v) { return Box(direct) }
        // An observed snapshot keeps the tree its fingerprint was taken from:
        // the journal's header and applied.json carry it without encoding
        // hundreds of units again (a metatype test, as for scalars).
        if T.self == HostSnapshot.self, let tree = (v as? HostSnapshot)?.encoding.tree { return Box(tree) }
        let b = Box()
        try v.encode(to: ValueEncoder(box: b, codingPath: path))
        b.value = b.resolved
        b.keyed = nil
        b.unkeyed = nil
        return b
    }

    /// Scalars by their static type. Comparing metatypes is a pointer
    /// test, where `as` casts were dynamic casts failing one by one for
    /// every compound value (the bulk of a 256-CPU snapshot's encoding).
    /// Anything else, an existential holding a scalar included, encodes
    /// through `encode(to:)`, which comes back here with its concrete type.
    static func scalar<T>(_ v: T) -> JSONValue? {
        if T.self == String.self { return .string(unsafeBitCast(v, to: String.self)) }
        if T.self == Int.self { return .int(Int64(unsafeBitCast(v, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(v, to: Bool.self)) }
        if T.self == UInt64.self { return .uint(unsafeBitCast(v, to: UInt64.self)) }
        if T.self == Int64.self { return .int(unsafeBitCast(v, to: Int64.self)) }
        if T.self == Int32.self { return .int(Int64(unsafeBitCast(v, to: Int32.self))) }
        if T.self == UInt.self { return .uint(UInt64(unsafeBitCast(v, to: UInt.self))) }
        if T.self == UInt32.self { return .uint(UInt64(unsafeBitCast(v, to: UInt32.self))) }
        if T.self == Double.self { return .double(unsafeBitCast(v, to: Double.self)) }
        if T.self == JSONValue.self { return unsafeBitCast(v, to: JSONValue.self) }
        // CPU sets and optional ids: several per CPU of a snapshot, each a
        // nested encoder and coding path otherwise. Same values as their
        // `encode(to:)` (a CPU list string; nil is null).
        if T.self == CPUSet.self { return .string(unsafeBitCast(v, to: CPUSet.self).description) }
        if T.self == Int?.self { return unsafeBitCast(v, to: Int?.self).map { .int(Int64($0)) } ?? .null }
        if T.self == CPUSet?.self { return unsafeBitCast(v, to: CPUSet?.self).map { .string($0.description) } ?? .null }
        // Arrays of scalars (NUMA distances: nodes squared of them), in one go.
        if T.self == [Int].self { return .array(unsafeBitCast(v, to: [Int].self).map { .int(Int64($0)) }) }
        if T.self == [String].self { return .array(unsafeBitCast(v, to: [String].self).map { .string($0) }) }
        return nil
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: Box
    var codingPath: [any CodingKey]
    let root: ValueEncoder

    private func set(_ key: Key, _ b: Box) {
        let name = key.stringValue, length = name.utf8.count
        // Lengths first: most keys differ in length, and comparing that is
        // cheaper than comparing the strings (a key set twice is rare).
        if let i = box.keyed!.firstIndex(where: { $0.0.utf8.count == length && $0.0 == name }) {
            box.keyed![i].1 = b
        } else {
            box.keyed!.append((name, b))
        }
    }

    mutating func encodeNil(forKey key: Key) throws { set(key, Box(.null)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        // Scalars need no coding path (only errors use it): skip building one.
        if let direct = ValueEncoder.scalar(value) { return set(key, Box(direct)) }
        set(key, try ValueEncoder.encodeNested(value, path: codingPath + [key]))
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(key, Box(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(key, Box(.string(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(key, Box(.int(Int64(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(key, Box(.int(value))) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(key, Box(.uint(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(key, Box(.double(value))) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let b = Box()
        b.keyed = []
        set(key, b)
        return KeyedEncodingContainer(
            Keyed<NestedKey>(box: b, codingPath: codingPath + [key], root: root))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let b = Box()
        b.unkeyed = []
        set(key, b)
        return Unkeyed(box: b, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let b = Box()
        set(key, b)
        return ValueEncoder(box: b, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue ?? 0)" }
    var intValue: Int?
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let box: Box
    var codingPath: [any CodingKey]
    var count: Int { box.unkeyed!.count }

    mutating func encodeNil() throws { box.unkeyed!.append(Box(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if let direct = ValueEncoder.scalar(value) { return box.unkeyed!.append(Box(direct)) }
        box.unkeyed!.append(try ValueEncoder.encodeNested(value, path: codingPath + [IndexKey(count)]))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let b = Box()
        b.keyed = []
        box.unkeyed!.append(b)
        let enc = ValueEncoder(box: b, codingPath: codingPath)
        return KeyedEncodingContainer(Keyed<NestedKey>(box: b, codingPath: codingPath, root: enc))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let b = Box()
        b.unkeyed = []
        box.unkeyed!.append(b)
        return Unkeyed(box: b, codingPath: codingPath)
    }
    mutating func superEncoder() -> any Encoder {
        let b = Box()
        box.unkeyed!.append(b)
        return ValueEncoder(box: b, codingPath: codingPath)
    }
}

private struct Single: SingleValueEncodingContainer {
    let box: Box
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { box.value = .null }
    mutating func encode<T: Encodable>(_ value: T) throws {
        box.value = try ValueEncoder.encodeNested(value, path: codingPath).value
    }
    mutating func encode(_ value: Bool) throws { box.value = .bool(value) }
    mutating func encode(_ value: String) throws { box.value = .string(value) }
    mutating func encode(_ value: Int) throws { box.value = .int(Int64(value)) }
    mutating func encode(_ value: Int64) throws { box.value = .int(value) }
    mutating func encode(_ value: UInt64) throws { box.value = .uint(value) }
    mutating func encode(_ value: Double) throws { box.value = .double(value) }
}
