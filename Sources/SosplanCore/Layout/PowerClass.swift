/// `power:` of a service, an enclave, or `spec.power.unassigned`: how the
/// CPUs of that owner idle and how fast they run.
public struct PowerClass: Sendable, Hashable {
    /// C-states whose exit latency is above this are disabled on the CPUs.
    public var maxIdleLatency: IdleLatency?
    /// The cpufreq governor (`performance`, `powersave`, `schedutil`...).
    public var governor: String?
    public var minFrequency: FrequencyBound?
    public var maxFrequency: FrequencyBound?
    public var marks: SourceMarks

    public init(
        maxIdleLatency: IdleLatency? = nil, governor: String? = nil, minFrequency: FrequencyBound? = nil,
        maxFrequency: FrequencyBound? = nil, marks: SourceMarks = SourceMarks()
    ) {
        self.maxIdleLatency = maxIdleLatency
        self.governor = governor
        self.minFrequency = minFrequency
        self.maxFrequency = maxFrequency
        self.marks = marks
    }

    /// True when it asks for a governor or a frequency limit (cpufreq).
    public var setsFrequency: Bool { governor != nil || minFrequency != nil || maxFrequency != nil }
}

/// An exit latency bound, in nanoseconds (written `0us`, `20us`, `2ms`, `500ns`).
public struct IdleLatency: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func < (a: IdleLatency, b: IdleLatency) -> Bool { a.nanoseconds < b.nanoseconds }

    /// True when a state with this exit latency (cpuidle's microseconds) is too slow.
    public func excludes(latencyMicroseconds: Int) -> Bool { UInt64(max(0, latencyMicroseconds)) * 1_000 > nanoseconds }

    public var description: String {
        if nanoseconds % 1_000_000 == 0 && nanoseconds > 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }
}

/// A frequency limit: the hardware's lowest or highest, or a value in kHz.
public enum FrequencyBound: Sendable, Hashable, CustomStringConvertible {
    case hardwareMinimum
    case hardwareMaximum
    case kilohertz(Int)

    /// The value on a CPU whose hardware range is `low...high` (kHz).
    public func resolved(low: Int?, high: Int?) -> Int? {
        switch self {
        case .hardwareMinimum: return low
        case .hardwareMaximum: return high
        case .kilohertz(let k): return k
        }
    }

    public var description: String {
        switch self {
        case .hardwareMinimum: return "min"
        case .hardwareMaximum: return "max"
        case .kilohertz(let k): return String(FrequencyText.kHz(k).filter { $0 != " " })
        }
    }
}
