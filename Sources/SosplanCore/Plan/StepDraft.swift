/// A step before ordering: the step itself plus what it releases and
/// acquires, from which the dependency edges are derived.
struct StepDraft {
    var key: String
    var action: StepAction
    var target: StepTarget
    var disruption: Disruption
    var before = PropertyMap()
    var after = PropertyMap()
    var reason: String?
    /// Execution phase: release before acquire (see `StepOrdering`).
    var phase: Phase
    /// CPUs and memory this step takes from its owner / gives to it
    /// (kept on the step it becomes).
    var effects = StepEffects()
    /// Whether the owner is Linux (slices, host) or a co-kernel.
    var side: Side
    /// Keys of drafts this one must follow regardless of resources.
    var after_: [String] = []

    enum Side { case linux, enclave, transition, other }

    /// Release before acquire: the order steps run in when nothing else
    /// decides it.
    enum Phase: Int, Comparable {
        case releaseUnits = 0
        case shrinkLinux = 1
        case releaseEnclaves = 2
        case onlineCPUs = 3
        case shrinkHugepages = 4
        case offlineCPUs = 5
        case acquireEnclaves = 6
        case growHugepages = 7
        case growLinux = 8
        case placeUnits = 9
        case removeSlices = 10

        static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
    }

    init(
        _ key: String, _ action: StepAction, target: StepTarget, disruption: Disruption, phase: Phase, side: Side,
        reason: String? = nil
    ) {
        self.key = key
        self.action = action
        self.target = target
        self.disruption = disruption
        self.phase = phase
        self.side = side
        self.reason = reason
    }

    var releasesCPUs: CPUSet {
        get { effects.releasesCPUs }
        set { effects.releasesCPUs = newValue }
    }

    var acquiresCPUs: CPUSet {
        get { effects.acquiresCPUs }
        set { effects.acquiresCPUs = newValue }
    }

    var releasesMemory: [MemoryChunk] {
        get { effects.releasesMemory }
        set { effects.releasesMemory = newValue }
    }

    var acquiresMemory: [MemoryChunk] {
        get { effects.acquiresMemory }
        set { effects.acquiresMemory = newValue }
    }
}
