/// What a step takes from and gives to its owner: the CPUs, and the memory
/// per NUMA node. The planner orders steps by them (release before
/// acquire) and keeps them on the step, so the watcher reads which CPUs a
/// plan takes offline or gives back instead of parsing its targets again.
/// Kept in memory only: a plan read back from JSON has none.
public struct StepEffects: Sendable, Hashable {
    /// CPUs the step takes away from its owner / gives to its owner.
    public var releasesCPUs = CPUSet()
    public var acquiresCPUs = CPUSet()
    /// Memory the step frees / takes, per node (hugepage pools and enclaves).
    /// A chunk of 0 bytes still names its node (a pool that shrinks to the same size).
    public var releasesMemory: [MemoryChunk] = []
    public var acquiresMemory: [MemoryChunk] = []

    public init() {}

    /// NUMA nodes whose memory the step frees / takes.
    public var releasesMemoryOn: CPUSet { CPUSet(releasesMemory.map(\.node)) }
    public var acquiresMemoryOn: CPUSet { CPUSet(acquiresMemory.map(\.node)) }
}
