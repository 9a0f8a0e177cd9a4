/// Field marks for the model's `SourceMarks`, so the planner can point at
/// the exact line of a value it cannot satisfy.
extension LayoutReader {
    /// Marks of an object and of every field below it, keyed by field path
    /// relative to the object (`""`, `cpus`, `cpus.count`, `memory[1].size`,
    /// `units[0]`); found in the object's node when asked for.
    static func marks(of object: YAMLNode) -> SourceMarks {
        SourceMarks(of: object)
    }
}
