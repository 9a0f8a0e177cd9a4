/// How plan steps spell enclave memory, for the apply engine: the same
/// encoding the planner writes, so what is applied is what was planned.
public enum StepMemory {
    public static func chunks(_ value: JSONValue?) -> [MemoryChunk] { StepBuilder.memoryChunks(value) }
    public static func value(_ chunks: [MemoryChunk]) -> JSONValue { StepBuilder.memoryValue(chunks) }
    /// "1 GiB on node 0, 512 MiB on node 1", or "none".
    public static func describe(_ chunks: [MemoryChunk]) -> String { SnapshotDifference.memory(chunks) }
}
