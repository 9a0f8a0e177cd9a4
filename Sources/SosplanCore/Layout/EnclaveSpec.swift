/// The co-kernels sosplan drives. Jailhouse may follow.
public enum EnclaveDriverKind: String, Sendable, Hashable, CaseIterable, Codable {
    case mckernel, pisces, mos
}

/// A co-kernel enclave: a specialized OS booted on CPUs and memory taken
/// away from Linux.
public struct EnclaveSpec: Sendable, Hashable {
    public var name: String
    public var driver: EnclaveDriverKind
    /// Kernel image; nil means the driver's default location.
    public var image: String?
    /// Kernel arguments; nil means the driver's default.
    public var args: String?
    /// The group given read-write access to the co-kernel's device nodes
    /// (McKernel's /dev/mcd*, /dev/mcos*), so its members run `mcexec`
    /// without root; nil leaves them to root.
    public var deviceGroup: String?
    public var cpus: CPUAmount
    /// Devices the enclave's CPUs (and memory) go next to (`near:`).
    public var near: [DeviceReference] = []
    public var memory: [MemoryRequest]
    public var priority: Int
    /// How its CPUs idle and how fast they run while Linux has them.
    public var power: PowerClass?
    public var marks: SourceMarks

    public init(
        name: String, driver: EnclaveDriverKind, image: String? = nil, args: String? = nil, deviceGroup: String? = nil,
        cpus: CPUAmount, memory: [MemoryRequest], priority: Int = 0, marks: SourceMarks = SourceMarks()
    ) {
        self.name = name
        self.driver = driver
        self.image = image
        self.args = args
        self.deviceGroup = deviceGroup
        self.cpus = cpus
        self.memory = memory
        self.priority = priority
        self.marks = marks
    }

    public var totalMemory: ByteSize { memory.reduce(.zero) { $0 + $1.size } }
}

/// Memory for an enclave: `size` on node `numa`, or anywhere (placed near
/// the enclave's CPUs) when `numa` is nil.
public struct MemoryRequest: Sendable, Hashable {
    public var size: ByteSize
    public var numa: Int?
    /// `tier`: which kind of memory; nil for any.
    public var tier: MemoryTierRequest?
    /// `policy`: how the size is spread over the chosen nodes; nil for the default (bind).
    public var policy: MemoryPolicy?

    public init(size: ByteSize, numa: Int? = nil, tier: MemoryTierRequest? = nil, policy: MemoryPolicy? = nil) {
        self.size = size
        self.numa = numa
        self.tier = tier
        self.policy = policy
    }
}
