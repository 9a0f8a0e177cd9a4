/// The state of decoding one layout file: its name and every problem found
/// so far. Decoding functions report here and carry on, so that all problems
/// in a file are shown at once rather than the first one only.
final class LayoutReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Paths of values that could not be decoded; cross-checks skip them so
    /// one mistake is not reported again as a follow-on problem.
    private(set) var brokenPaths: Set<String> = []
    /// Every proper ancestor of a broken path (`spec.services[3]` for
    /// `spec.services[3].cpus`), so `isBroken` needs no scan.
    private var brokenAncestors: Set<String> = []
    /// `spec.slurm.jobs`, read before the services: Slurm's job partition
    /// runs nothing of its own (slurmd puts the jobs there).
    var slurmJobs: String?

    init(file: String) { self.file = file }

    /// Reports `path: message` at `mark` (the path names the field in
    /// question, as in `spec.services[1].cpus`).
    func error(_ path: String, _ message: String, at mark: SourceMark, hints: [String] = [], breaks: Bool = true) {
        if breaks { markBroken(path) }
        diagnostics.append(.error(LayoutReader.prefixed(path, message), file: file, at: mark, hints: hints))
    }

    func warning(_ path: String, _ message: String, at mark: SourceMark, hints: [String] = []) {
        diagnostics.append(.warning(LayoutReader.prefixed(path, message), file: file, at: mark, hints: hints))
    }

    func append(_ more: [Diagnostic]) { diagnostics += more }

    private func markBroken(_ path: String) {
        guard brokenPaths.insert(path).inserted else { return }
        var p = path
        while let parent = LayoutReader.parent(of: p) {
            guard brokenAncestors.insert(parent).inserted else { break }
            p = parent
        }
    }

    /// True when `path`, something inside it, or something around it could
    /// not be decoded.
    func isBroken(_ path: String) -> Bool {
        // Nothing broken is the common case; then no parents need building.
        if brokenPaths.isEmpty { return false }
        if brokenPaths.contains(path) || brokenAncestors.contains(path) { return true }
        var p = path
        while let parent = LayoutReader.parent(of: p) {
            if brokenPaths.contains(parent) { return true }
            p = parent
        }
        return false
    }

    /// `a.b[2]` -> `a.b` -> `a`; nil at the top.
    static func parent(of path: String) -> String? {
        guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
        return String(path[..<cut])
    }

    static func prefixed(_ path: String, _ message: String) -> String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// The pairs of a mapping, after reporting unknown keys (with a "did you
    /// mean") and missing required ones. Returns nil, after reporting, when
    /// `node` is not a mapping; a null node reads as an empty mapping.
    func fields(
        _ node: YAMLNode, _ path: String, allowed: [String], required: [String] = [], what: String = "a mapping"
    ) -> Fields? {
        if node.isNull {
            let fields = Fields(path: path, node: node, pairs: [])
            reportMissing(required, in: fields, at: node.mark)
            return fields
        }
        guard let pairs = node.mapping else {
            error(path, "expected \(what), found \(describe(node))", at: node.mark)
            return nil
        }
        let fields = Fields(path: path, node: node, pairs: pairs)
        var misspelt: Set<String> = []
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            if !allowed.contains(key) {
                var hints: [String] = []
                let close = Suggestions.closest(to: key, in: allowed)
                misspelt.formUnion(close)
                if let h = Suggestions.hint(for: key, in: allowed) { hints.append(h) }
                hints.append("known fields here: " + allowed.joined(separator: ", "))
                error(path, "unknown field '\(key)'", at: pair.key.mark, hints: hints, breaks: false)
            }
        }
        reportMissing(required, in: fields, at: node.mark, except: misspelt)
        return fields
    }

    /// True when the mapping has keys outside `allowed` (already reported).
    func hasUnknownKeys(_ fields: Fields, allowed: [String]) -> Bool {
        fields.pairs.contains { $0.key.scalar.map { !allowed.contains($0) } ?? false }
    }

    /// Required keys that are absent; a key in `except` was probably
    /// misspelt, which is already reported with a "did you mean".
    private func reportMissing(
        _ required: [String], in fields: Fields, at mark: SourceMark, except: Set<String> = []
    ) {
        for key in required where fields[key] == nil {
            markBroken(fields.path(key))
            if !except.contains(key) {
                error(fields.path, "missing required field '\(key)'", at: mark, breaks: false)
            }
        }
    }

    /// The items of a list; a null node (a key with nothing after it, e.g.
    /// all entries commented out) reads as an empty list.
    func items(_ node: YAMLNode, _ path: @autoclosure () -> String, what: String = "a list") -> [YAMLNode]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            error(path(), "expected \(what), found \(describe(node))", at: node.mark)
            return nil
        }
        return items
    }

    /// How a node reads in "expected X, found Y" messages.
    func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let text, _):
            switch node.resolvedScalar {
            case .null?: return "nothing (null)"
            case .bool(let b)?: return "the boolean \(b)"
            case .int?: return "the integer \(text)"
            case .float?: return "the number \(text)"
            case .badTag(let tag)?: return "a value tagged '\(tag)'"
            case .string(_, let quoted)?:
                let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
                return quoted ? "the quoted string \"\(shown)\"" : "the string '\(shown)'"
            case nil: return "'\(text)'"
            }
        }
    }
}

/// The pairs of one mapping, looked up by key; `path` names the mapping in
/// messages and `path(key)` its fields.
struct Fields {
    let path: String
    let node: YAMLNode
    let pairs: [YAMLPair]

    /// The value of `key`. An empty value (`cpus:` and nothing after it)
    /// takes the key's mark: libyaml places empty values at the next token.
    subscript(_ key: String) -> YAMLNode? {
        guard let pair = pairs.first(where: { $0.key.scalar == key }) else { return nil }
        guard case .scalar("", .plain) = pair.value.kind else { return pair.value }
        var value = pair.value
        value.mark = pair.key.mark
        return value
    }

    func keyMark(_ key: String) -> SourceMark? { pairs.first { $0.key.scalar == key }?.key.mark }

    /// `path.key`, the path of a field in messages.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
