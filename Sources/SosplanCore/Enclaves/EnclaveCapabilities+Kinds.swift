/// The capabilities of each co-kernel, from `research/cokernels.md` (cited
/// by section). The planner reads these through `EnclaveDriverKind`; a
/// driver instance may refine `memoryGranularity` from the host (Pisces'
/// memory block size).
extension EnclaveDriverKind {
    public var capabilities: EnclaveCapabilities {
        switch self {
        case .mckernel: return .ihk
        case .pisces: return .pisces
        case .mos: return .mos
        }
    }
}

extension EnclaveCapabilities {
    /// McKernel on IHK.
    public static let ihk = EnclaveCapabilities(
        // §1.2: `assign cpu` needs the OS INITIAL, else -EBUSY: no live grow.
        growCPUsWhileRunning: false,
        // §1.2: `release cpu` on an OS is INITIAL-only (-EBUSY once booted).
        shrinkCPUsWhileRunning: false,
        // §1.2: `assign mem` is INITIAL-only.
        growMemoryWhileRunning: false,
        // §1.2: `release mem` on an OS is INITIAL-only.
        shrinkMemoryWhileRunning: false,
        // §1.2: the IHK module writes 0 to cpuN/online during `reserve cpu`.
        offlinesCPUsItself: true,
        // §1.2/§1.5: `release cpu` onlines them; shutdown/destroy only return
        // them to IHK's reserved pool, so the driver always releases.
        onlinesCPUsOnRelease: true,
        // §1.2: `reserve mem` sizes must be multiples of 4 MiB.
        memoryGranularity: 4 << 20,
        // §1.6: only one OS per device may be booting or booted.
        maximumInstances: 1,
        // §1.7: CPU 0 cannot be reserved.
        forbiddenCPUs: CPUSet([0]))

    /// Kitten on the Pisces co-kernel.
    public static let pisces = EnclaveCapabilities(
        // §2.2 step 3: offline the CPU, then ctrl ADD_CPU while RUNNING.
        growCPUsWhileRunning: true,
        // §2.2 step 4: ctrl REMOVE_CPU, then online the CPU.
        shrinkCPUsWhileRunning: true,
        // §2.2 step 3: memory blocks are added like CPUs.
        growMemoryWhileRunning: true,
        // §2.1: REMOVE_MEM answers "Removing memory is not supported".
        shrinkMemoryWhileRunning: false,
        // §0: the user library offlines CPUs before ADD; sosplan does it itself.
        offlinesCPUsItself: false,
        // §2.2 step 5: "The kernel does not give resources back to Linux by itself."
        onlinesCPUsOnRelease: false,
        // §2.2: memory moves in hotplug blocks (block_size_bytes; 128 MiB on
        // most x86-64 hosts; the driver reports the host's value).
        memoryGranularity: 128 << 20,
        // §2.1: MAX_ENCLAVES=128.
        maximumInstances: 128,
        // (infer) x86 CPU 0 has no cpuN/online file, so it cannot be offlined.
        forbiddenCPUs: CPUSet([0]))

    /// The mOS LWK partition.
    public static let mos = EnclaveCapabilities(
        // §3: "any change = delete + create with no jobs running".
        growCPUsWhileRunning: false,
        shrinkCPUsWhileRunning: false,
        growMemoryWhileRunning: false,
        shrinkMemoryWhileRunning: false,
        // §3: lwkctl offlines every LWK CPU before writing lwk_config.
        offlinesCPUsItself: true,
        // §3: delete (lwkctl -d) hands the CPUs back to Linux.
        onlinesCPUsOnRelease: true,
        // §3: memory is rounded to 128 MiB sections.
        memoryGranularity: 128 << 20,
        // §3: one partition per node.
        maximumInstances: 1,
        // (infer) CPU 0 cannot be offlined on x86 and lwkctl's auto spec
        // always leaves core 0 to Linux.
        forbiddenCPUs: CPUSet([0]))
}

extension EnclaveCapabilities {
    /// Every driver's capabilities by kind: what `sosplan plan --snapshot`
    /// uses where no driver is installed (the drivers declare the same).
    public static let known: [EnclaveDriverKind: EnclaveCapabilities] = Dictionary(
        uniqueKeysWithValues: EnclaveDriverKind.allCases.map { ($0, $0.capabilities) })
}
