/// A JSON document of sosplan's own state files, told apart by its
/// `schema` field (`sosplan.applied/v1`, `sosplan.installed/v1`...): one
/// way to read them, so each record only names its schema and type.
public enum SchemaDocument {
    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// Not JSON at all (the parser's message).
        case unreadable(String)
        /// JSON, but another document (or none) by its `schema` field.
        case wrongSchema(expected: String)
        /// The right schema, with a field that does not decode.
        case invalid(String)

        public var description: String {
            switch self {
            case .unreadable(let message), .invalid(let message): return message
            case .wrongSchema(let expected): return "not a \(expected) document"
            }
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, schemaID: String, json text: String) throws(Failure) -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch { throw .unreadable(error.description) }
        return try decode(type, schemaID: schemaID, from: value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, schemaID: String, json bytes: [UInt8]) throws(Failure) -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw .unreadable(error.description) }
        return try decode(type, schemaID: schemaID, from: value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, schemaID: String, from value: JSONValue) throws(Failure) -> T {
        guard value["schema"]?.stringValue == schemaID else { throw .wrongSchema(expected: schemaID) }
        do { return try JSONValueDecoder().decode(type, from: value) } catch { throw .invalid(JSONValueDecoder.describe(error)) }
    }
}
