/// A YAML node with the position it was written at, so every decoded value
/// can point back to its line and column in diagnostics.
public struct YAMLNode: Sendable {
    public enum ScalarStyle: Sendable, Equatable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public indirect enum Kind: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var kind: Kind
    public var mark: SourceMark
    /// An explicit tag (`!!str`), if the author wrote one.
    public var tag: String?

    public init(_ kind: Kind, mark: SourceMark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }

    public var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// A plain (unquoted, untagged) scalar: the only kind YAML resolves to
    /// numbers, booleans and null.
    public var plainScalar: String? {
        if case .scalar(let s, .plain) = kind, tag == nil { return s }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    /// YAML 1.2 core-schema null: `~`, `null`, or an empty plain scalar.
    public var isNull: Bool {
        guard let s = plainScalar else { return tag == "tag:yaml.org,2002:null" }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// What the node is, for "expected X, found Y" messages.
    public var kindName: String {
        switch kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s, let style):
            if isNull { return "null" }
            if style != .plain || tag != nil { return "the string '\(s)'" }
            return "'\(s)'"
        }
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}
