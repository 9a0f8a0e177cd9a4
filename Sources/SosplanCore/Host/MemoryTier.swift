/// What kind of memory a NUMA node holds, as hwloc classifies it (its
/// NUMANode subtype: DRAM, HBM, SPM, NVM, CXL-*, GPUMemory). hwloc names a
/// node only when it can tell it apart; a node it leaves unnamed is
/// ordinary memory (`tier` nil in the snapshot), which `memory.tier: dram`
/// takes as DRAM.
public enum MemoryTier: String, Codable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Ordinary memory, named so when hwloc had faster memory to tell it from.
    case dram
    /// High-bandwidth memory: specific-purpose memory or a CPU-less node
    /// whose HMAT bandwidth is more than twice the DRAM's.
    case hbm
    /// Specific-purpose memory (EFI soft-reserved, a `hmem` DAX device)
    /// that bandwidth could not confirm as HBM.
    case spm
    /// Persistent memory used as RAM (an nvdimm or CXL PMEM DAX device).
    case nvm
    /// Memory behind a CXL memory expander.
    case cxl
    /// A GPU's memory onlined as a NUMA node (NVIDIA).
    case gpu

    public var description: String { rawValue }

    /// How hwloc prints it (`NUMANode(HBM)`).
    public var hwlocName: String {
        switch self {
        case .dram: return "DRAM"
        case .hbm: return "HBM"
        case .spm: return "SPM"
        case .nvm: return "NVM"
        case .cxl: return "CXL-DRAM"
        case .gpu: return "GPUMemory"
        }
    }
}
