/// Reads protocol buffers' binary wire format
/// (https://protobuf.dev/programming-guides/encoding/): the few field kinds
/// the pod-resources messages use, written by hand where a generated file
/// and the SwiftProtobuf runtime stood. The bytes come from a socket:
/// every length is checked against what is left, a varint is at most ten
/// bytes and fits 64 bits, and anything else is a `ProtobufError`, never a
/// crash.
struct ProtobufReader {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    init(_ bytes: [UInt8]) {
        self.init(bytes, from: 0, to: bytes.count)
    }

    private init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        position = start
        self.end = end
    }

    /// How a field's value is laid out (wire types 3 and 4, groups, are
    /// proto2's and not accepted).
    enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// The next field's number and wire type; nil at the end of the message.
    mutating func nextField() throws(ProtobufError) -> (number: UInt64, type: WireType)? {
        guard position < end else { return nil }
        let tag = try varint()
        guard let type = WireType(rawValue: tag & 7) else { throw .malformed("wire type \(tag & 7)") }
        let number = tag >> 3
        guard number >= 1 && number <= 536_870_911 else { throw .malformed("field number \(number)") }
        return (number, type)
    }

    mutating func varint() throws(ProtobufError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<10 {
            guard position < end else { throw .malformed("a varint runs past the end") }
            let byte = bytes[position]
            position += 1
            // The tenth byte holds bit 63 only.
            if index == 9 && byte > 1 { throw .malformed("a varint does not fit 64 bits") }
            value |= UInt64(byte & 0x7F) << (7 * UInt64(index))
            if byte & 0x80 == 0 { return value }
        }
        throw .malformed("a varint does not fit 64 bits")
    }

    /// A length-delimited value, as a reader of its own bytes.
    mutating func message() throws(ProtobufError) -> ProtobufReader {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw .malformed("a length of \(length) bytes runs past the end") }
        let start = position
        position += Int(length)
        return ProtobufReader(bytes, from: start, to: position)
    }

    /// A `string` field: UTF-8, as proto3 requires.
    mutating func string() throws(ProtobufError) -> String {
        let value = try message()
        guard let text = String(validating: value.bytes[value.position..<value.end], as: UTF8.self) else {
            throw .malformed("a string is not UTF-8")
        }
        return text
    }

    /// A `repeated int64` field's values at this field: packed (one
    /// length-delimited run, proto3's default) or one varint; readers must
    /// take both.
    mutating func int64s(_ type: WireType, into values: inout [Int64]) throws(ProtobufError) {
        switch type {
        case .varint:
            values.append(Int64(bitPattern: try varint()))
        case .lengthDelimited:
            var run = try message()
            while run.position < run.end { values.append(Int64(bitPattern: try run.varint())) }
        default:
            throw .malformed("an int64 field with wire type \(type.rawValue)")
        }
    }

    /// A scalar field's varint, after checking that it is one.
    mutating func varint(_ type: WireType) throws(ProtobufError) -> UInt64 {
        guard type == .varint else { throw .malformed("a varint field with wire type \(type.rawValue)") }
        return try varint()
    }

    /// A field of a message type, after checking that it is one.
    mutating func message(_ type: WireType) throws(ProtobufError) -> ProtobufReader {
        guard type == .lengthDelimited else { throw .malformed("a message field with wire type \(type.rawValue)") }
        return try message()
    }

    mutating func string(_ type: WireType) throws(ProtobufError) -> String {
        guard type == .lengthDelimited else { throw .malformed("a string field with wire type \(type.rawValue)") }
        return try string()
    }

    /// Passes over a field this reader does not know: a newer kubelet's
    /// fields are skipped, as every protobuf reader does.
    mutating func skip(_ type: WireType) throws(ProtobufError) {
        switch type {
        case .varint: _ = try varint()
        case .lengthDelimited: _ = try message()
        case .fixed64, .fixed32:
            let size = type == .fixed64 ? 8 : 4
            guard end - position >= size else { throw .malformed("a fixed-size field runs past the end") }
            position += size
        }
    }
}

/// Bytes that are not the message they should be.
struct ProtobufError: Error, CustomStringConvertible {
    var reason: String
    static func malformed(_ reason: String) -> ProtobufError { ProtobufError(reason: reason) }
    var description: String { "not a valid protobuf message: \(reason)" }
}
