import SosplanCore

/// Everything the simulated kernels remember between tool runs, kept in
/// `<root>/.sosplan-sim/state.json`. Linux's own hotplug state is not here:
/// it lives in the simulated sysfs files (`cpuN/online`, `memoryN/state`),
/// which drivers write directly, exactly as on a real host.
struct SimState: Codable {
    var drivers: [String]
    var nodes: [SimNode]
    /// `block_size_bytes`.
    var blockSize: UInt64
    var settings: SimSettings
    var ihk: IHKDeviceState?
    var pisces: PiscesState?
    var mos: MOSState?
    /// CPUs that were offline at install time (not owned by anyone).
    var initiallyOffline: [Int]
}

struct SimNode: Codable {
    var id: Int
    var cpus: [Int]
    /// MemTotal and MemFree (bytes) before any co-kernel took memory.
    var baseTotal: UInt64
    var baseFree: UInt64
}

/// Timing of asynchronous transitions. An IHK boot is asynchronous (the
/// LWK raises its status as it comes up, `host_driver.c:791-800`); an IHK
/// shutdown is not (`smp_ihk_os_shutdown` finishes inside the ioctl,
/// `smp-driver.c:1342-1459`), so it has no setting.
struct SimSettings: Codable {
    /// `get status` polls an IHK OS stays BOOTING before RUNNING.
    var bootPolls: Int = 1
}

// MARK: IHK

/// The IHK device /dev/mcd0 (ihk @3114d9e): a reserved pool and OS instances.
struct IHKDeviceState: Codable {
    /// Reserved and unassigned CPUs (what `ihkconfig 0 query cpu` lists).
    var poolCPUs: [Int] = []
    /// Reserved and unassigned memory chunks (`ihk_mem_free_chunks`), in
    /// physical address order.
    var poolMemory: [SimChunk] = []
    var oses: [IHKOSState] = []
    /// The OS that is booting or booted; the device refuses a second one.
    var bootedOS: Int?
    /// The free memory IHK can gather, per node (`IHKMemory`); nil until
    /// the first reservation lays it out.
    var runs: [SimRun]?
    /// What destroyed OSes that never booted still hold: marked ASSIGNED to
    /// a freed OS, offline, in no pool and releasable by nobody until the
    /// module is reloaded (`host_driver.c:437-441`, `smp-driver.c:3190-3196`).
    var strandedCPUs: [Int] = []
    var strandedMemory: [SimChunk] = []
    /// What `ihkconfig 0 get buildid` prints (the build id of IHK and mcctrl).
    var buildID = SimInstaller.mckernelBuildID
    /// When the last reservation saw /proc/sys/vm/compact_memory and
    /// drop_caches written (their modification times).
    var compactedAt: Double?
    var cachesDroppedAt: Double?

    func os(_ index: Int) -> IHKOSState? { oses.first { $0.index == index } }
}

struct IHKOSState: Codable {
    /// Internal phases; `get status` prints INACTIVE for initial/loaded/stopped.
    enum Phase: String, Codable { case initial, loaded, booting, running, stopped, panic }
    var index: Int
    var phase: Phase = .initial
    /// Assigned CPUs in assignment order (= LWK CPU numbering).
    var cpus: [Int] = []
    var memory: [SimChunk] = []
    var image: String?
    var kargs: String?
    var polls: Int = 0
    /// Set by a `panic` fault: this boot ends in PANIC.
    var panicOnBoot: Bool?
    /// `os->param`: allocated by a boot (`smp-driver.c:602`), freed by
    /// shutdown (`:1450-1453`), NULL in a new OS (`kzalloc`, `:3172`).
    /// Asking for the status without it is the hazard (see `IHKKernel.status`).
    var bootParams: Bool?
}

// MARK: Pisces

struct PiscesState: Codable {
    var enclaves: [PiscesEnclaveState] = []
}

struct PiscesEnclaveState: Codable {
    /// pis:src/enclave.h: LOADED(1), RUNNING(2), DEAD(3).
    enum Phase: String, Codable { case loaded = "LOADED", running = "RUNNING", dead = "DEAD" }
    var id: Int
    var phase: Phase = .loaded
    var kernel: String
    var initTask: String
    var cmdline: String
    /// The module's CPU mask (`assigned_cpus`): a CPU is set before Kitten
    /// answers and never cleared (pis `src/enclave_ctrl.c:252-264`, `:295`);
    /// /proc lists it in ascending order (`src/enclave.c:354`).
    var cpus: [Int] = []
    /// The CPUs Kitten took, in the order they joined: a CPU's position is
    /// its Kitten logical id (kit `user/pisces/pisces.c`, ADD_CPU).
    var kittenCPUs: [Int] = []
    /// Recorded before Kitten answers, kept when it refuses (`enclave_ctrl.c:300-320`).
    var memory: [PiscesFormat.MemoryRange] = []
    /// Jobs `pisces_run` launched; they live in Kitten until the enclave goes.
    var jobs: [PiscesJob] = []
}

struct PiscesJob: Codable, Equatable {
    var name: String
    var exe: String
    var argv: String
    /// Kitten logical CPU ids (`--cpulist`).
    var cpus: [Int]
}

// MARK: mOS

/// `/sys/kernel/mOS/*` (mos `lwkctl.h`; `mos.c` `_lwkmem_vec_show`).
struct MOSState: Codable {
    var version = "0.8"
    var lwkCPUs: [Int] = []
    var utilityCPUs: [Int] = []
    /// Bytes per node index.
    var lwkmem: [UInt64] = []
    /// The raw spec written to lwk_config ("" when no partition).
    var config = ""
    /// CPUs a `mos-job` fault says yod holds.
    var reservedCPUs: [Int] = []
    var jobid = ""
    /// Running yod jobs: their CPUs are in `lwkcpus_reserved` while the
    /// process lives (mos `mos.c` `_lwkcpus_request_set`, cleared by
    /// `mos_exit_thread`).
    var jobs: [MOSJob] = []
}

extension MOSState {
    /// `lwkcpus_reserved`: what running yod jobs (and a `mos-job` fault) hold.
    var reserved: CPUSet { CPUSet(reservedCPUs + jobs.flatMap(\.cpus)) }
}

struct MOSJob: Codable, Equatable {
    /// The yod process, and the job it started (yod's child here).
    var pid: Int32
    var childPid: Int32?
    var cpus: [Int]
}
