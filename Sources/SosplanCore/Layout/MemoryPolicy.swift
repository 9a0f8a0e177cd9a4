/// `memory.tier`: which kind of memory an owner's memory comes from.
public enum MemoryTierRequest: String, Sendable, Hashable, CaseIterable, Codable {
    /// High-bandwidth memory, the HBM nodes nearest the owner's CPUs.
    case hbm
    /// Ordinary memory (nodes hwloc names DRAM or does not tell apart).
    case dram
    /// Any node (the default).
    case any

    /// The node tier it asks for; nil for `any`.
    public var tier: MemoryTier? {
        switch self {
        case .hbm: return .hbm
        case .dram: return .dram
        case .any: return nil
        }
    }
}

/// `memory.policy`: how the memory is taken from the chosen nodes. For a
/// Linux service, systemd's `NUMAPolicy=`/`NUMAMask=` on the unit sosplan
/// starts (set when it execs: changing it restarts the service); for an
/// enclave, how its memory is reserved over the nodes.
public enum MemoryPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Only the chosen nodes.
    case bind
    /// The chosen nodes first (HBM), the others behind them (DRAM) when they are full.
    case preferred
    /// Pages spread round-robin over the chosen nodes.
    case interleave
}
