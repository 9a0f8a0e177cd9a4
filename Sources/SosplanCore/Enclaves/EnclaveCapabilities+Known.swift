/// What each co-kernel can do, from its control interface (see
/// `research/cokernels.md`). The drivers declare these values; keeping them
/// here lets `sosplan plan --snapshot` run where no driver is installed.
extension EnclaveCapabilities {
    /// IHK/McKernel: assignments are frozen once the OS boots (-EBUSY unless
    /// INITIAL); `reserve cpu` offlines CPUs itself and `release cpu` brings
    /// them back; memory in 4 MiB multiples; one booted OS per IHK device;
    /// CPU 0 cannot be reserved.
    public static let mckernel = EnclaveCapabilities(
        growCPUsWhileRunning: false, shrinkCPUsWhileRunning: false, growMemoryWhileRunning: false,
        shrinkMemoryWhileRunning: false, offlinesCPUsItself: true, onlinesCPUsOnRelease: true,
        memoryGranularity: 4 << 20, maximumInstances: 1, forbiddenCPUs: CPUSet([0]))

    /// Pisces/Kitten: CPUs and memory can be added and CPUs removed while the
    /// enclave runs, memory never removed; the user tools offline CPUs and
    /// memory blocks before adding them and nothing brings them back online
    /// after teardown but the caller; memory in 128 MiB memory blocks.
    public static let pisces = EnclaveCapabilities(
        growCPUsWhileRunning: true, shrinkCPUsWhileRunning: true, growMemoryWhileRunning: true,
        shrinkMemoryWhileRunning: false, offlinesCPUsItself: false, onlinesCPUsOnRelease: false,
        memoryGranularity: 128 << 20, maximumInstances: 128)

    /// mOS: one partition per host, changed only by delete + create;
    /// `lwkctl` offlines LWK CPUs itself and onlines them on delete; memory
    /// in 128 MiB sections.
    public static let mos = EnclaveCapabilities(
        growCPUsWhileRunning: false, shrinkCPUsWhileRunning: false, growMemoryWhileRunning: false,
        shrinkMemoryWhileRunning: false, offlinesCPUsItself: true, onlinesCPUsOnRelease: true,
        memoryGranularity: 128 << 20, maximumInstances: 1)

    /// Every driver's capabilities by kind.
    public static let known: [EnclaveDriverKind: EnclaveCapabilities] = [
        .mckernel: .mckernel, .pisces: .pisces, .mos: .mos,
    ]
}
