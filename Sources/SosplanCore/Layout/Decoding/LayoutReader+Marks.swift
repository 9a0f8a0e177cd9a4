/// Field marks for the model's `SourceMarks`, so the planner can point at
/// the exact line of a value it cannot satisfy.
extension LayoutReader {
    /// Marks of an object and of every field below it, keyed by field path
    /// relative to the object (`""`, `cpus`, `cpus.count`, `memory[1].size`,
    /// `units[0]`). Scalars are marked at their value; lists and mappings at
    /// their key, which is the line a reader looks for.
    static func marks(of object: YAMLNode) -> SourceMarks {
        var marks = SourceMarks()
        marks.byField[""] = object.mark
        record(object, prefix: "", into: &marks)
        return marks
    }

    private static func record(_ node: YAMLNode, prefix: String, into marks: inout SourceMarks) {
        switch node.kind {
        case .scalar:
            return
        case .mapping(let pairs):
            for pair in pairs {
                guard let key = pair.key.scalar else { continue }
                let path = prefix.isEmpty ? key : prefix + "." + key
                let isScalar = pair.value.scalar != nil && !(pair.value.scalar!.isEmpty && !pair.value.isQuoted)
                marks.byField[path] = isScalar ? pair.value.mark : pair.key.mark
                record(pair.value, prefix: path, into: &marks)
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() {
                let path = prefix + "[\(i)]"
                marks.byField[path] = item.mark
                record(item, prefix: path, into: &marks)
            }
        }
    }
}
