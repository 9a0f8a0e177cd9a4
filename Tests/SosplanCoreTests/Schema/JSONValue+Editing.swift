import SosplanCore

/// One step of a path into a JSON document: an object key or an array index.
enum JSONPathStep: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case key(String)
    case index(Int)

    init(stringLiteral value: String) { self = .key(value) }
    init(integerLiteral value: Int) { self = .index(value) }

    var description: String {
        switch self {
        case .key(let k): return k
        case .index(let i): return String(i)
        }
    }
}

/// Mutating a known-valid document one field at a time, for tests that the
/// schemas reject what the contract does not allow.
extension JSONValue {
    /// A copy with the value at `path` replaced (or added as the last key of
    /// its object), or removed when `value` is nil. A path that does not
    /// exist in the document is a mistake in the test and stops it.
    func setting(_ path: [JSONPathStep], to value: JSONValue?) -> JSONValue {
        guard let first = path.first else {
            guard let value else { preconditionFailure("cannot remove the whole document") }
            return value
        }
        let rest = Array(path.dropFirst())
        switch (self, first) {
        case (.object(var entries), .key(let key)):
            if let i = entries.firstIndex(where: { $0.0 == key }) {
                if rest.isEmpty, value == nil {
                    entries.remove(at: i)
                } else {
                    entries[i].1 = entries[i].1.setting(rest, to: value)
                }
            } else if rest.isEmpty, let value {
                entries.append((key, value))
            } else {
                preconditionFailure("no key '\(key)' in the document")
            }
            return .object(entries)
        case (.array(var items), .index(let i)):
            precondition(items.indices.contains(i), "no index \(i) in the document")
            if rest.isEmpty, value == nil {
                items.remove(at: i)
            } else {
                items[i] = items[i].setting(rest, to: value)
            }
            return .array(items)
        default:
            preconditionFailure("'\(first)' does not lead into the document here")
        }
    }
}
