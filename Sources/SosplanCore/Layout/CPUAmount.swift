/// How many (or which) CPUs an owner wants: a count with optional NUMA
/// nodes and an elastic range, an explicit CPU list (optionally with the
/// NUMA nodes it must lie on, checked against the host), or the shared pool.
public enum CPUAmount: Sendable, Hashable {
    case count(CPURequest)
    case list(CPUSet, numa: [Int]? = nil)
    case shared

    /// The CPUs wanted when nothing is short (the count, or the list size).
    public var nominal: Int {
        switch self {
        case .count(let r): return r.count
        case .list(let s, _): return s.count
        case .shared: return 0
        }
    }

    /// The floor the owner may shrink to under pressure.
    public var minimum: Int {
        switch self {
        case .count(let r): return r.min
        case .list(let s, _): return s.count
        case .shared: return 0
        }
    }

    /// The ceiling the owner may grow to when CPUs are idle.
    public var maximum: Int {
        switch self {
        case .count(let r): return r.max
        case .list(let s, _): return s.count
        case .shared: return 0
        }
    }

    public var isShared: Bool { if case .shared = self { return true } else { return false } }

    /// NUMA nodes asked for explicitly (`numa:`), if any.
    public var numaNodes: [Int]? {
        switch self {
        case .count(let r): return r.numa
        case .list(_, let numa): return numa
        case .shared: return nil
        }
    }

    /// The explicit CPUs of the list forms.
    public var explicitCPUs: CPUSet? { if case .list(let s, _) = self { return s } else { return nil } }
}

/// `{count, numa, min, max}`: `min` and `max` default to `count`.
public struct CPURequest: Sendable, Hashable {
    public var count: Int
    public var numa: [Int]?
    public var min: Int
    public var max: Int

    public init(count: Int, numa: [Int]? = nil, min: Int? = nil, max: Int? = nil) {
        self.count = count
        self.numa = numa
        self.min = min ?? count
        self.max = max ?? count
    }
}
