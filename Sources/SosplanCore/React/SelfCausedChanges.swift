/// The hotplug changes an apply causes itself: its `cpu.offline` and
/// `cpu.online` steps, and the co-kernel tools taking CPUs and memory
/// blocks offline for an enclave or giving them back (IHK writes the
/// `online` files itself). The watcher sees the kernel's uevents for all of
/// them and must not take them for the machine changing under it.
public struct SelfCausedChanges: Sendable {
    /// CPU changes still expected, each matched by one uevent at most.
    public private(set) var cpus: Set<HotplugChange> = []
    /// Whether enclave memory moved: the co-kernels offline and online
    /// memory blocks of their choosing, so any block change is theirs.
    public private(set) var memoryBlocks = false

    public init() {}

    /// What `plan`'s steps do to CPUs and memory blocks, given the CPUs
    /// that were online before it ran.
    public init(plan: Plan, onlineBefore: CPUSet) {
        for step in plan.steps {
            switch step.action {
            case .cpuOffline: expect(Self.cpus(step.target), .offline, onlineBefore)
            case .cpuOnline: expect(Self.cpus(step.target), .online, onlineBefore)
            case .enclaveCreate:
                expect(Self.cpus(step.after), .offline, onlineBefore)
                memoryBlocks = memoryBlocks || step.after["memory"] != nil
            case .enclaveDestroy:
                expect(Self.cpus(step.before), .online, onlineBefore)
                memoryBlocks = memoryBlocks || step.before["memory"] != nil
            case .enclaveGrow:
                expect(Self.cpus(step.after).subtracting(Self.cpus(step.before)), .offline, onlineBefore)
                memoryBlocks = memoryBlocks || step.after["addMemory"] != nil || step.after["memory"] != nil
            case .enclaveShrink:
                expect(Self.cpus(step.before).subtracting(Self.cpus(step.after)), .online, onlineBefore)
            case .memoryOffline, .memoryOnline:
                memoryBlocks = true
            default:
                break
            }
        }
    }

    public var isEmpty: Bool { cpus.isEmpty && !memoryBlocks }

    /// True (and forgotten) when `change` is one this apply caused.
    public mutating func consume(_ change: HotplugChange) -> Bool {
        switch change.device {
        case .cpu:
            return cpus.remove(change) != nil
        case .memoryBlock:
            return memoryBlocks && (change.kind == .online || change.kind == .offline)
        }
    }

    /// Merges what a later apply expects.
    public mutating func formUnion(_ other: SelfCausedChanges) {
        cpus.formUnion(other.cpus)
        memoryBlocks = memoryBlocks || other.memoryBlocks
    }

    private mutating func expect(_ set: CPUSet, _ kind: HotplugChange.Kind, _ onlineBefore: CPUSet) {
        for cpu in set {
            // Offlining an offline CPU (or onlining an online one) sends nothing;
            // but a CPU a step both takes and gives back may send either.
            if kind == .offline && !onlineBefore.contains(cpu) && !cpus.contains(HotplugChange(device: .cpu(cpu), kind: .online)) { continue }
            cpus.insert(HotplugChange(device: .cpu(cpu), kind: kind))
        }
    }

    static func cpus(_ target: String) -> CPUSet {
        guard target.hasPrefix("cpu:") else { return CPUSet() }
        return (try? CPUSet(lenientList: String(target.dropFirst(4)))) ?? CPUSet()
    }

    static func cpus(_ map: PropertyMap) -> CPUSet {
        guard let text = map["cpus"]?.stringValue else { return CPUSet() }
        return (try? CPUSet(lenientList: text)) ?? CPUSet()
    }
}
