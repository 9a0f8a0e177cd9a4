import SosplanCore

/// Converts a `YAMLNode` tree to JSON with the YAML 1.2 core schema that
/// sosplan itself applies (a quoted "4" stays a string, `yes` is a string),
/// so a JSON Schema validator sees the same data the decoder sees.
public enum YAMLJSON {
    public static func json(_ node: YAMLNode) -> JSONValue {
        switch node.kind {
        case .mapping(let pairs):
            return .object(pairs.map { ($0.key.scalar ?? "", json($0.value)) })
        case .sequence(let items):
            return .array(items.map(json))
        case .scalar(let text, _):
            switch node.resolvedScalar {
            case .null?: return .null
            case .bool(let b)?: return .bool(b)
            case .int(let v?)?: return .int(Int64(v))
            case .int(nil)?: return Double(text).map(JSONValue.double) ?? .string(text)
            case .float(let d)? where d.isFinite: return .double(d)
            default: return .string(text)
            }
        }
    }
}
