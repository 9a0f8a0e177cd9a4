import CYAML

/// Turns libyaml events into a `YAMLNode` tree: expands aliases (counting the
/// nodes they add), applies merge keys and reports duplicate keys.
struct TreeBuilder {
    let file: String
    var diagnostics: [Diagnostic] = []
    var root: YAMLNode?

    /// An open list or mapping. Kept directly in `stack` (not wrapped in an
    /// enum) so appending to the innermost one mutates it in place; a copy
    /// per append made long lists quadratic.
    private struct Collection {
        var isMapping: Bool
        var mark: SourceMark
        var tag: String?
        var anchor: String?
        var size = 1
        /// Levels of lists and mappings in this one, itself included.
        var height = 1
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// The first mark of each key, once the mapping is large; a small
        /// one (nearly all) finds its keys in `pairs` without a table.
        var keys: [String: SourceMark]?
        var merges: [(YAMLNode, SourceMark)] = []
    }

    private var stack: [Collection] = []
    private var anchors: [String: (node: YAMLNode, size: Int, height: Int)] = [:]
    private var documents = 0
    private var nodeCount = 0

    init(file: String) { self.file = file }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    }

    private static func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private mutating func fail(_ message: String, _ mark: SourceMark, hints: [String] = []) {
        diagnostics.append(.error(message, file: file, at: mark, hints: hints))
    }

    /// Handles one event; returns true when parsing must stop.
    mutating func consume(_ event: inout yaml_event_t) -> Bool {
        let mark = TreeBuilder.mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                fail(
                    "a layout file holds one YAML document; a second one starts here", mark,
                    hints: ["put each host layout in its own file"])
                return true
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let bytes = UnsafeBufferPointer(start: s.value, count: Int(s.length))
            let value = String(decoding: bytes, as: UTF8.self)
            let style: YAMLNode.ScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let tag = TreeBuilder.string(s.tag)
            if let tag, !checkTag(tag, allowed: TreeBuilder.scalarTags, on: "a value", mark) { return true }
            let node = YAMLNode(.scalar(value, style), mark: mark, tag: tag)
            if let anchor = TreeBuilder.string(s.anchor) { anchors[anchor] = (node, 1, 0) }
            return add(node, size: 1, height: 0)
        case YAML_ALIAS_EVENT:
            let name = TreeBuilder.string(event.data.alias.anchor) ?? ""
            guard let target = anchors[name] else {
                fail(
                    "alias *\(name) has no anchor &\(name) before it", mark,
                    hints: ["define the anchor before using it; recursive aliases are not allowed"])
                return true
            }
            if stack.count + target.height > YAMLParser.maximumDepth {
                tooDeep(mark)
                return true
            }
            var node = target.node
            node.mark = mark
            return add(node, size: target.size, height: target.height)
        case YAML_SEQUENCE_START_EVENT where stack.count >= YAMLParser.maximumDepth,
            YAML_MAPPING_START_EVENT where stack.count >= YAMLParser.maximumDepth:
            tooDeep(mark)
            return true
        case YAML_SEQUENCE_START_EVENT:
            let d = event.data.sequence_start
            let tag = TreeBuilder.string(d.tag)
            if let tag, !checkTag(tag, allowed: [YAMLNode.coreTag + "seq"], on: "a list", mark) { return true }
            stack.append(Collection(isMapping: false, mark: mark, tag: tag, anchor: TreeBuilder.string(d.anchor)))
        case YAML_MAPPING_START_EVENT:
            let d = event.data.mapping_start
            let tag = TreeBuilder.string(d.tag)
            if let tag, !checkTag(tag, allowed: [YAMLNode.coreTag + "map"], on: "a mapping", mark) { return true }
            stack.append(Collection(isMapping: true, mark: mark, tag: tag, anchor: TreeBuilder.string(d.anchor)))
        case YAML_SEQUENCE_END_EVENT:
            guard let c = stack.popLast(), !c.isMapping else { return true }
            let node = YAMLNode(.sequence(c.items), mark: c.mark, tag: c.tag)
            if let a = c.anchor { anchors[a] = (node, c.size, c.height) }
            return add(node, size: c.size, height: c.height, counted: true)
        case YAML_MAPPING_END_EVENT:
            guard var c = stack.popLast(), c.isMapping else { return true }
            applyMerges(&c)
            let node = YAMLNode(.mapping(c.pairs), mark: c.mark, tag: c.tag)
            if let a = c.anchor { anchors[a] = (node, c.size, c.height) }
            return add(node, size: c.size, height: c.height, counted: true)
        default:
            break
        }
        return false
    }

    /// The tags of YAML's core schema that a scalar may carry; a core tag
    /// whose text does not fit it (`!!int abc`) is reported where the value
    /// is read, with what was expected there.
    static let scalarTags: Set<String> = Set(["str", "null", "bool", "int", "float"].map { YAMLNode.coreTag + $0 })

    /// A layout is plain data: a tag outside the core schema (`!custom`,
    /// `!!python/object:os.system`, `!!binary`, `!!set`) asks for a type
    /// sosplan does not have, and one reader would build it where another
    /// reads a string. It is an error at the tag, and reading stops: what
    /// follows would be read as something the author did not mean.
    private mutating func checkTag(_ tag: String, allowed: Set<String>, on what: String, _ mark: SourceMark) -> Bool {
        if allowed.contains(tag) { return true }
        let shown = tag.hasPrefix(YAMLNode.coreTag) ? "!!" + tag.dropFirst(YAMLNode.coreTag.count) : Substring(tag)
        let core = Set(["str", "null", "bool", "int", "float", "seq", "map"].map { YAMLNode.coreTag + $0 })
        let message = core.contains(tag)
            ? "the tag '\(shown)' does not fit \(what)"
            : "unknown tag '\(ControlCharacters.shown(String(shown)))' on \(what): a layout is plain YAML data"
        fail(message, mark, hints: ["remove the tag; only the core schema's !!str, !!int, !!float, !!bool, !!null, !!seq and !!map are read"])
        return false
    }

    /// Attaches a finished node to its parent. `counted` collections have
    /// already added their children to the total; only they themselves count.
    /// Deeper documents are refused before libyaml, whose simple-key
    /// bookkeeping costs time in proportion to the depth for every token,
    /// and before a tree so deep that walking it could exhaust the stack.
    private mutating func tooDeep(_ mark: SourceMark) {
        fail(
            "lists and mappings are nested more than \(YAMLParser.maximumDepth) levels deep here", mark,
            hints: ["a host layout needs fewer than 10 levels; look for an unclosed '[' or '{'"])
    }

    private mutating func add(_ node: YAMLNode, size: Int, height: Int, counted: Bool = false) -> Bool {
        nodeCount += counted ? 1 : size
        if nodeCount > YAMLParser.maximumNodes {
            fail(
                "the document expands to more than \(YAMLParser.maximumNodes) nodes", node.mark,
                hints: ["aliases multiply the nodes they refer to; this looks like a \"billion laughs\" document"])
            return true
        }
        guard !stack.isEmpty else {
            root = node
            return false
        }
        let top = stack.count - 1
        stack[top].size += size
        stack[top].height = max(stack[top].height, height + 1)
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return false
        }
        if let key = stack[top].pendingKey {
            stack[top].pendingKey = nil
            if key.plainScalar == "<<" {
                stack[top].merges.append((node, key.mark))
            } else {
                stack[top].pairs.append(YAMLPair(key: key, value: node))
            }
        } else {
            if let problem = TreeBuilder.registerKey(node, in: &stack[top]) {
                fail(problem.message, problem.mark, hints: problem.hints)
            }
            stack[top].pendingKey = node
        }
        return false
    }

    /// Records a mapping key; returns the problem with it, if any.
    private static func registerKey(
        _ key: YAMLNode, in c: inout Collection
    ) -> (message: String, mark: SourceMark, hints: [String])? {
        guard let name = key.scalar else {
            return ("a mapping key must be a plain string, found \(key.kindName)", key.mark, [])
        }
        if key.plainScalar == "<<" { return nil }
        if let first = firstMark(of: name, in: &c) {
            return ("duplicate key '\(name)' (first defined at \(first.line):\(first.column))", key.mark,
                    ["YAML keeps only one value per key; remove or rename one of them"])
        }
        c.keys?[name] = key.mark
        return nil
    }

    /// Mappings up to this many keys search their pairs for a key.
    private static let keyTableThreshold = 16

    /// Where the key `name` was first given in `c`, if it was. The keys
    /// given so far are exactly the string keys of `c.pairs` (a key's pair
    /// is added when its value follows, before the next key), so a small
    /// mapping searches those; a large one gets a table, built once.
    private static func firstMark(of name: String, in c: inout Collection) -> SourceMark? {
        if c.keys == nil, c.pairs.count > keyTableThreshold {
            var table: [String: SourceMark] = [:]
            for pair in c.pairs {
                guard let key = pair.key.scalar, table[key] == nil else { continue }
                table[key] = pair.key.mark
            }
            c.keys = table
        }
        if let keys = c.keys { return keys[name] }
        for pair in c.pairs {
            if case .scalar(let key, _) = pair.key.kind, key == name { return pair.key.mark }
        }
        return nil
    }

    /// `<<: *base` or `<<: [*a, *b]`: copy keys the mapping does not set
    /// itself; earlier merge sources win over later ones.
    private mutating func applyMerges(_ c: inout Collection) {
        for (value, mark) in c.merges {
            let sources: [YAMLNode]
            switch value.kind {
            case .mapping: sources = [value]
            case .sequence(let items): sources = items
            case .scalar:
                fail("a merge key '<<' needs a mapping or a list of mappings, found \(value.kindName)", value.mark)
                continue
            }
            for source in sources {
                guard let pairs = source.mapping else {
                    fail("a merge key '<<' needs mappings, found \(source.kindName)", source.mark.line > 0 ? source.mark : mark)
                    continue
                }
                for pair in pairs {
                    guard let name = pair.key.scalar, TreeBuilder.firstMark(of: name, in: &c) == nil else { continue }
                    c.keys?[name] = pair.key.mark
                    c.pairs.append(pair)
                }
            }
        }
        c.merges = []
    }
}
