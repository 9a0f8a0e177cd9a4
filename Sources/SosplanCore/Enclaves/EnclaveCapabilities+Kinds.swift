/// The capabilities of each co-kernel, as upstream implements them
/// (research/cokernels-upstream.md, cited by section and upstream file).
/// The planner reads these through `EnclaveDriverKind`; a driver instance
/// may refine `memoryGranularity` from the host (Pisces' memory block size).
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
    /// McKernel on IHK (ihk @3114d9e; §2.5).
    public static let ihk = EnclaveCapabilities(
        // `assign cpu` needs the OS INITIAL, else -EBUSY (smp-driver.c:1885): no live grow.
        growCPUsWhileRunning: false,
        // `release cpu` on an OS is INITIAL-only (smp-driver.c:1977).
        shrinkCPUsWhileRunning: false,
        // `assign mem` is INITIAL-only (smp-driver.c:2669).
        growMemoryWhileRunning: false,
        // `release mem` on an OS is INITIAL-only (smp-driver.c:2822).
        shrinkMemoryWhileRunning: false,
        // The IHK module writes 0 to cpuN/online during `reserve cpu` (smp-driver.c:4343).
        offlinesCPUsItself: true,
        // `release cpu` onlines them (smp-driver.c:4490); destroy only returns
        // them to IHK's pool, so the driver always releases.
        onlinesCPUsOnRelease: true,
        // `reserve mem` sizes must be multiples of 4 MiB (smp-driver.c:4670).
        memoryGranularity: 4 << 20,
        // One OS per device may be booting or booted (smp-driver.c:519-533).
        maximumInstances: 1,
        // x86 CPU 0 has no cpuN/online, so IHK cannot offline it.
        forbiddenCPUs: CPUSet([0]))

    /// Kitten on the Pisces co-kernel, with the 2015+ user tools (§3, §7).
    public static let pisces = EnclaveCapabilities(
        // `pisces_ctrl --explicit --cpu=` adds CPUs to a RUNNING enclave.
        growCPUsWhileRunning: true,
        // No tool removes a CPU since 2015 (pis18 pisces_add.c:46-54), and the
        // module never drops one from its mask (src/enclave_ctrl.c:295).
        shrinkCPUsWhileRunning: false,
        // `pisces_ctrl --explicit --mem=` adds memory blocks.
        growMemoryWhileRunning: true,
        // REMOVE_MEM: "Removing memory is not supported" (enclave_ctrl.c:322-327).
        shrinkMemoryWhileRunning: false,
        // The tools offline what they hand over (pet_offline_cpu in
        // pisces_add_cpu, pis18 pisces_ctrl.c:212-229; pisces_launch,
        // pisces.c:164-180) and refuse a CPU already offline (§7.2).
        offlinesCPUsItself: true,
        // `pisces_shutdown` onlines every CPU and block /proc listed (pis18
        // teardown.c:349-375); the driver makes sure of it.
        onlinesCPUsOnRelease: true,
        // Memory moves in hotplug blocks (block_size_bytes; 128 MiB on most
        // x86-64 hosts; the driver reports the host's value).
        memoryGranularity: 128 << 20,
        // MAX_ENCLAVES=128 (pis src/pisces_ioctl.h:10).
        maximumInstances: 128,
        // x86 CPU 0 has no cpuN/online file, so it cannot be offlined.
        forbiddenCPUs: CPUSet([0]))

    /// The mOS LWK partition (intel/mOS; §4).
    public static let mos = EnclaveCapabilities(
        // The kernel refuses to modify a partition ("Unsupported: modifying
        // LWKCPU config.", mos.c lwk_config_store): any change is delete + create.
        growCPUsWhileRunning: false,
        shrinkCPUsWhileRunning: false,
        growMemoryWhileRunning: false,
        shrinkMemoryWhileRunning: false,
        // The kernel offlines the LWK CPUs itself when the partition is
        // written, and requires them online (lwkcpu.c lwkcpu_up_multiple).
        offlinesCPUsItself: true,
        // Deleting the partition brings them back (lwkcpu_down_multiple → linuxcpu_up).
        onlinesCPUsOnRelease: true,
        // Memory comes in 128 MiB sections (lwkctrl.c).
        memoryGranularity: 128 << 20,
        // One partition per node.
        maximumInstances: 1,
        // CPU 0 cannot be offlined on x86, and lwkctl's auto spec always
        // leaves core 0 to Linux.
        forbiddenCPUs: CPUSet([0]))
}

extension EnclaveCapabilities {
    /// Every driver's capabilities by kind: what `sosplan plan --snapshot`
    /// uses where no driver is installed (the drivers declare the same).
    public static let known: [EnclaveDriverKind: EnclaveCapabilities] = Dictionary(
        uniqueKeysWithValues: EnclaveDriverKind.allCases.map { ($0, $0.capabilities) })
}
