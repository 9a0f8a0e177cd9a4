/// What a co-kernel can change on a running instance and how its resources
/// leave and return to Linux. Each enclave driver declares its value; the
/// planner reads it to label steps (`live` vs `recreate`) and to order them
/// (who offlines CPUs, who brings them back).
public struct EnclaveCapabilities: Sendable, Hashable {
    public var growCPUsWhileRunning: Bool
    public var shrinkCPUsWhileRunning: Bool
    public var growMemoryWhileRunning: Bool
    public var shrinkMemoryWhileRunning: Bool
    /// The co-kernel takes CPUs out of Linux itself (IHK `reserve cpu`,
    /// `lwkctl -c`); otherwise sosplan must offline them first (Pisces).
    public var offlinesCPUsItself: Bool
    /// The co-kernel gives CPUs back to Linux when it releases them;
    /// otherwise sosplan must online them afterwards (Pisces does not).
    public var onlinesCPUsOnRelease: Bool
    /// Memory is reserved in multiples of this many bytes.
    public var memoryGranularity: UInt64
    /// How many instances may exist at once on one host (nil: no limit).
    public var maximumInstances: Int?
    /// CPUs the co-kernel can never take (IHK and Jailhouse on x86: CPU 0).
    public var forbiddenCPUs: CPUSet

    public init(
        growCPUsWhileRunning: Bool, shrinkCPUsWhileRunning: Bool, growMemoryWhileRunning: Bool,
        shrinkMemoryWhileRunning: Bool, offlinesCPUsItself: Bool, onlinesCPUsOnRelease: Bool,
        memoryGranularity: UInt64, maximumInstances: Int? = nil, forbiddenCPUs: CPUSet = CPUSet()
    ) {
        self.growCPUsWhileRunning = growCPUsWhileRunning
        self.shrinkCPUsWhileRunning = shrinkCPUsWhileRunning
        self.growMemoryWhileRunning = growMemoryWhileRunning
        self.shrinkMemoryWhileRunning = shrinkMemoryWhileRunning
        self.offlinesCPUsItself = offlinesCPUsItself
        self.onlinesCPUsOnRelease = onlinesCPUsOnRelease
        self.memoryGranularity = memoryGranularity
        self.maximumInstances = maximumInstances
        self.forbiddenCPUs = forbiddenCPUs
    }
}
