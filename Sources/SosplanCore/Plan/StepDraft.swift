/// A step before ordering: the step itself plus what it releases and
/// acquires, from which the dependency edges are derived.
struct StepDraft {
    var key: String
    var action: StepAction
    var target: String
    var disruption: Disruption
    var before = PropertyMap()
    var after = PropertyMap()
    var reason: String?
    /// Execution phase: release before acquire (see `StepOrdering`).
    var phase: Phase
    /// CPUs this step takes away from its owner / gives to its owner.
    var releasesCPUs = CPUSet()
    var acquiresCPUs = CPUSet()
    /// Whether the owner is Linux (slices, host) or a co-kernel.
    var side: Side
    /// NUMA nodes whose memory this step frees / takes.
    var releasesMemoryOn = CPUSet()
    var acquiresMemoryOn = CPUSet()
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
        _ key: String, _ action: StepAction, target: String, disruption: Disruption, phase: Phase, side: Side,
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
}
