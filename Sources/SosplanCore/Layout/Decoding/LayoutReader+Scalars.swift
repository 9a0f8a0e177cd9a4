/// Scalar fields: integers, booleans, strings and enumerations, typed by the
/// YAML 1.2 core schema (a quoted `"4"` is a string, `yes` is not a boolean).
extension LayoutReader {
    /// An integer in `range`; `what` names the value in range messages.
    func int(_ node: YAMLNode, _ path: @autoclosure () -> String, in range: ClosedRange<Int>? = nil, what: String = "an integer") -> Int? {
        switch node.resolvedScalar {
        case .int(let v?)?:
            if let range, !range.contains(v) {
                error(path(), "\(v) is out of range: \(what) must be \(LayoutReader.describe(range))", at: node.mark)
                return nil
            }
            return v
        case .int(nil)?:
            let text = node.scalar ?? ""
            let bound = range.map { ": \(what) must be \(LayoutReader.describe($0))" } ?? ""
            error(path(), "integer \(text) is too \(text.hasPrefix("-") ? "small" : "large")\(bound)", at: node.mark)
        case .string(let s, quoted: true)? where YAMLNode.resolvePlain(s).isInteger:
            error(
                path(), "expected an integer, found the quoted string \"\(s)\"", at: node.mark,
                hints: ["quotes make \"\(s)\" a string; write \(s) without quotes for a number"])
        default:
            error(path(), "expected an integer, found \(describe(node))", at: node.mark)
        }
        return nil
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }

    /// `true`/`false` (also `True`, `TRUE` ...). YAML 1.1 words such as `yes`
    /// and `on` are strings in YAML 1.2 and get a hint.
    func bool(_ node: YAMLNode, _ path: @autoclosure () -> String) -> Bool? {
        if case .bool(let b)? = node.resolvedScalar { return b }
        var hints: [String] = []
        if let s = node.scalar {
            switch s.lowercased() {
            case "yes", "y", "on": hints.append("YAML 1.2 reads '\(s)' as a string; write true")
            case "no", "n", "off": hints.append("YAML 1.2 reads '\(s)' as a string; write false")
            case "true", "false": hints.append("quotes make it a string; write \(s.lowercased()) without quotes")
            default: break
            }
        }
        error(path(), "expected true or false, found \(describe(node))", at: node.mark, hints: hints)
        return nil
    }

    /// A string. Plain numbers and booleans are not strings under the core
    /// schema; the hint says to quote them.
    func string(_ node: YAMLNode, _ path: @autoclosure () -> String, what: String = "a string") -> String? {
        switch node.resolvedScalar {
        case .string(let s, _)?:
            return s
        case .null?:
            error(path(), "has no value; expected \(what)", at: node.mark)
        case .int?, .float?, .bool?:
            let text = node.scalar ?? ""
            error(
                path(), "expected \(what), found \(describe(node))", at: node.mark,
                hints: ["quote it to make it a string: \"\(text)\""])
        default:
            error(path(), "expected \(what), found \(describe(node))", at: node.mark)
        }
        return nil
    }

    /// One of `E`'s raw values, with a "did you mean" for near misses.
    func choice<E: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ path: @autoclosure () -> String, _ type: E.Type) -> E?
    where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        guard case .string(let s, _)? = node.resolvedScalar else {
            error(path(), "expected one of \(list), found \(describe(node))", at: node.mark)
            return nil
        }
        if let value = E(rawValue: s) { return value }
        var hints: [String] = []
        if let h = Suggestions.hint(for: s, in: names) { hints.append(h) }
        error(path(), "'\(s)' is not one of \(list)", at: node.mark, hints: hints)
        return nil
    }

    /// A node id (`0`) or a non-empty list of distinct ids (`[0, 1]`).
    func nodeIDs(_ node: YAMLNode, _ path: String) -> [Int]? {
        if case .int? = node.resolvedScalar {
            return int(node, path, in: 0...LayoutReader.maximumNodeID, what: "a NUMA node id").map { [$0] }
        }
        guard let items = node.sequence else {
            error(path, "expected a NUMA node id or a list of them, found \(describe(node))", at: node.mark)
            return nil
        }
        guard !items.isEmpty else {
            error(path, "the list of NUMA nodes is empty", at: node.mark, hints: ["leave the field out to allow any node"])
            return nil
        }
        var ids: [Int] = []
        var ok = true
        for (i, item) in items.enumerated() {
            guard let id = int(item, "\(path)[\(i)]", in: 0...LayoutReader.maximumNodeID, what: "a NUMA node id") else {
                ok = false
                continue
            }
            if ids.contains(id) {
                error("\(path)[\(i)]", "NUMA node \(id) is listed twice", at: item.mark)
                ok = false
            }
            ids.append(id)
        }
        return ok ? ids : nil
    }

    /// Priorities only order owners; the bound keeps `-priority` and
    /// differences of priorities from overflowing.
    static let priorityRange = -1_000_000...1_000_000

    /// Linux supports at most 1024 NUMA nodes (`CONFIG_NODES_SHIFT` <= 10).
    static let maximumNodeID = 1023
}

extension YAMLScalarValue {
    var isInteger: Bool { if case .int = self { return true } else { return false } }
}
