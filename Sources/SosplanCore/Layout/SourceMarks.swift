/// Field positions of one layout object, keyed by field path relative to it
/// (`"cpus"`, `"cpus.count"`, `"memory[1].size"`); `""` is the object itself.
///
/// A decoded object keeps its YAML node and finds a mark when asked, by
/// walking only the nodes on the path: building a table of every field's
/// path for every object was a large part of decoding a big layout, and
/// almost none of those marks are ever looked at.
public struct SourceMarks: Sendable, Hashable {
    /// Marks given one by one (the document frame, or marks made in code).
    private var table: [String: SourceMark]
    /// The object the marks come from; nil when `table` holds them all.
    private var node: YAMLNode?

    public init(_ byField: [String: SourceMark] = [:]) {
        table = byField
        node = nil
    }

    /// Marks of `object` and of every field below it. Scalars are marked at
    /// their value; lists and mappings at their key, which is the line a
    /// reader looks for.
    init(of object: YAMLNode) {
        table = [:]
        node = object
    }

    /// Every mark, keyed by field path.
    public var byField: [String: SourceMark] {
        get {
            guard let node else { return table }
            var marks: [String: SourceMark] = ["": node.mark]
            SourceMarks.record(node, prefix: "", into: &marks)
            return marks
        }
        set {
            table = newValue
            node = nil
        }
    }

    /// The mark recorded for exactly `field`, as `byField[field]`.
    func exactly(_ field: String) -> SourceMark? {
        guard let node else { return table[field] }
        var field = field
        return field.withUTF8 { bytes in
            // Byte for byte is String equality only for ASCII without the
            // three characters that have canonical equivalents elsewhere
            // (KELVIN SIGN is K, GREEK QUESTION MARK is ;, VARIA is `).
            guard bytes.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "K") && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "`") })
            else { return byField[String(decoding: bytes, as: UTF8.self)] }
            return SourceMarks.find(bytes, in: node)
        }
    }

    /// The most specific known mark for `field`, falling back to its parents
    /// and finally to the object itself.
    public subscript(field: String) -> SourceMark? {
        var key = field
        while true {
            if let m = exactly(key) { return m }
            guard let cut = key.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            key = String(key[..<cut])
        }
        return exactly("")
    }

    public var object: SourceMark? { exactly("") }

    public static func == (a: SourceMarks, b: SourceMarks) -> Bool { a.byField == b.byField }

    public func hash(into hasher: inout Hasher) { hasher.combine(byField) }
}

extension SourceMarks {
    /// The mark a field gets: its value when that is a scalar with text (or
    /// quoted), else its key.
    private static func mark(of pair: YAMLPair) -> SourceMark {
        guard case .scalar(let text, _) = pair.value.kind else { return pair.key.mark }
        return text.isEmpty && !pair.value.isQuoted ? pair.key.mark : pair.value.mark
    }

    /// The table of every field below `node`, in document order; a later
    /// field with the same path replaces an earlier one.
    private static func record(_ node: YAMLNode, prefix: String, into marks: inout [String: SourceMark]) {
        switch node.kind {
        case .scalar:
            return
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar else { continue }
                let path = prefix.isEmpty ? key : prefix + "." + key
                marks[path] = mark(of: pair)
                record(pair.value, prefix: path, into: &marks)
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                let path = prefix + "[\(i)]"
                marks[path] = item.mark
                record(item, prefix: path, into: &marks)
            }
        }
    }

    /// What `record` would store under `path`, found by following only the
    /// fields whose paths begin `path` (so without building any path).
    private static func find(_ path: UnsafeBufferPointer<UInt8>, in object: YAMLNode) -> SourceMark? {
        var found: SourceMark? = path.isEmpty ? object.mark : nil
        search(object, matched: 0, path, &found)
        return found
    }

    /// `node` sits at the path `path[..<matched]`; visits its fields in
    /// `record`'s order, noting each one whose path is all of `path`.
    private static func search(
        _ node: YAMLNode, matched: Int, _ path: UnsafeBufferPointer<UInt8>, _ found: inout SourceMark?
    ) {
        switch node.kind {
        case .scalar:
            return
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar else { continue }
                // The field's path: `key` at the top (an empty prefix), else `prefix.key`.
                var start = matched
                if matched > 0 {
                    guard start < path.count, path[start] == UInt8(ascii: ".") else { return }
                    start += 1
                }
                guard let end = matchPrefix(key, path, from: start) else { continue }
                if end == path.count { found = mark(of: pair) }
                search(pair.value, matched: end, path, &found)
            }
        case .sequence(let items):
            guard matched < path.count, path[matched] == UInt8(ascii: "[") else { return }
            guard let at = index(path, from: matched + 1), at.index < items.count else { return }
            if at.end == path.count { found = items[at.index].mark }
            search(items[at.index], matched: at.end, path, &found)
        }
    }

    /// The end of `key` in `path` when `path` holds it at `start`.
    private static func matchPrefix(_ key: String, _ path: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var i = start
        for byte in key.utf8 {
            guard i < path.count, path[i] == byte else { return nil }
            i += 1
        }
        return i
    }

    /// `12]` at `start`: the index as `record` writes it (decimal, no
    /// leading zeros) and the position after the `]`.
    private static func index(_ path: UnsafeBufferPointer<UInt8>, from start: Int) -> (index: Int, end: Int)? {
        var i = start, value = 0
        while i < path.count, path[i] >= UInt8(ascii: "0"), path[i] <= UInt8(ascii: "9") {
            guard i == start || path[start] != UInt8(ascii: "0") else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(path[i] - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = sum
            i += 1
        }
        guard i > start, i < path.count, path[i] == UInt8(ascii: "]") else { return nil }
        return (value, i + 1)
    }
}
