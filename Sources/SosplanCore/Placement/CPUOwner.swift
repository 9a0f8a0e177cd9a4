/// Who owns CPUs in a placement.
public enum OwnerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    case host
    case enclave(String)
    case service(String)

    public var description: String {
        switch self {
        case .host: return "host"
        case .enclave(let n): return "enclave '\(n)'"
        case .service(let n): return "service '\(n)'"
        }
    }

    private var rank: (Int, String) {
        switch self {
        case .host: return (0, "")
        case .enclave(let n): return (1, n)
        case .service(let n): return (2, n)
        }
    }

    public static func < (a: OwnerID, b: OwnerID) -> Bool { a.rank < b.rank }
}

/// One owner's CPU request as the placement engine sees it.
struct CPUOwner {
    var id: OwnerID
    var priority: Int
    var nominal: Int
    var minimum: Int
    var maximum: Int
    /// An explicit CPU list: placed as written, never shrunk or moved.
    var explicit: CPUSet?
    /// Nodes the CPUs must come from (`numa:`, or the nodes of the devices
    /// of a strict `near:`).
    var numa: [Int]?
    /// The devices it is placed near (`near:`), as the host resolves them.
    var near: NearRequest?
    /// CPUs this owner can never take (IHK: CPU 0).
    var forbidden: CPUSet = CPUSet()
    /// What the owner holds now (minimal churn keeps it).
    var current: CPUSet = CPUSet()
    /// An existing assignment kept as it is (its change was deferred).
    var isPinned = false
    /// The host's reservation rounds up to whole cores instead of failing.
    var roundsUpToWholeCores = false
    /// Position in the layout (ties in priority go by layout order).
    var order: Int
    /// Where the CPU request was written, for diagnostics.
    var mark: SourceMark?
}
