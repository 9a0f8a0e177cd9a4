/// The hotplug changes an apply causes itself: its `cpu.offline` and
/// `cpu.online` steps, and the co-kernel tools taking CPUs and memory
/// blocks offline for an enclave or giving them back (IHK writes the
/// `online` files itself). The watcher sees the kernel's uevents for all of
/// them and must not take them for the machine changing under it.
public struct SelfCausedChanges: Sendable {
    /// CPU changes still expected, each matched by one uevent at most.
    public private(set) var cpus: Set<HotplugChange> = []
    /// How many memory block changes the co-kernels may still cause: they
    /// offline and online blocks of their choosing, so the blocks cannot be
    /// named in advance, but their number can (a change beyond it is real).
    public private(set) var memoryBlocks = 0

    public init() {}

    /// What `plan`'s steps do to CPUs and memory blocks, given the CPUs
    /// that were online before it ran and the host's memory block size:
    /// read from the steps' effects, so `plan` is one the planner just made
    /// (a plan read back from JSON carries none).
    public init(plan: Plan, onlineBefore: CPUSet, memoryBlockSize: UInt64? = nil) {
        let block = max(memoryBlockSize ?? 128 << 20, 1)
        // A chunk that does not start on a block boundary touches one more.
        func blocks(_ chunks: [MemoryChunk]) -> Int {
            chunks.reduce(0) { $0 + Int(($1.bytes + block - 1) / block) + 1 }
        }
        for step in plan.steps {
            let effects = step.effects
            switch step.action {
            case .cpuOffline: expect(effects.acquiresCPUs, .offline, onlineBefore)
            case .cpuOnline: expect(effects.releasesCPUs, .online, onlineBefore)
            case .enclaveCreate, .enclaveGrow:
                // CPUs Linux hands over through a `cpu.offline` step are that step's.
                expect(effects.acquiresCPUs, .offline, onlineBefore)
                memoryBlocks += blocks(effects.acquiresMemory)
            case .enclaveDestroy, .enclaveShrink:
                expect(effects.releasesCPUs, .online, onlineBefore)
                memoryBlocks += blocks(effects.releasesMemory)
            case .memoryOffline, .memoryOnline:
                // Not planned by sosplan today; a step of the vocabulary may name a whole node.
                memoryBlocks = Int.max / 2
            default:
                break
            }
        }
    }

    public var isEmpty: Bool { cpus.isEmpty && memoryBlocks == 0 }

    /// True (and forgotten) when `change` is one this apply caused.
    public mutating func consume(_ change: HotplugChange) -> Bool {
        switch change.device {
        case .cpu:
            return cpus.remove(change) != nil
        case .memoryBlock:
            guard memoryBlocks > 0, change.kind == .online || change.kind == .offline else { return false }
            memoryBlocks -= 1
            return true
        case .pciDevice:
            // No step of sosplan's adds or removes PCI devices.
            return false
        }
    }

    /// Merges what a later apply expects.
    public mutating func formUnion(_ other: SelfCausedChanges) {
        cpus.formUnion(other.cpus)
        memoryBlocks = min(memoryBlocks + other.memoryBlocks, Int.max / 2)
    }

    private mutating func expect(_ set: CPUSet, _ kind: HotplugChange.Kind, _ onlineBefore: CPUSet) {
        for cpu in set {
            // Offlining an offline CPU (or onlining an online one) sends nothing;
            // but a CPU a step both takes and gives back may send either.
            if kind == .offline && !onlineBefore.contains(cpu) && !cpus.contains(HotplugChange(device: .cpu(cpu), kind: .online)) { continue }
            cpus.insert(HotplugChange(device: .cpu(cpu), kind: kind))
        }
    }
}
