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

/// Timing of asynchronous transitions (research §6 "Asynchrony").
struct SimSettings: Codable {
    /// `get status` polls an IHK OS stays BOOTING before RUNNING.
    var bootPolls: Int = 1
    /// `get status` polls an IHK OS stays SHUTDOWN before INACTIVE.
    var shutdownPolls: Int = 2
    /// Or: seconds after `shutdown` at which it is INACTIVE regardless of polls.
    var shutdownDelay: Double?
}

// MARK: IHK

/// The IHK device /dev/mcd0 (research §1): a reserved pool and OS instances.
struct IHKDeviceState: Codable {
    /// Reserved and unassigned CPUs (what `ihkconfig 0 query cpu` lists).
    var poolCPUs: [Int] = []
    /// Reserved and unassigned memory chunks, in reservation order.
    var poolMemory: [SimChunk] = []
    var oses: [IHKOSState] = []
    /// The OS that is booting or booted; the device refuses a second one.
    var bootedOS: Int?

    func os(_ index: Int) -> IHKOSState? { oses.first { $0.index == index } }
}

struct SimChunk: Codable, Equatable {
    var bytes: UInt64
    var node: Int
}

struct IHKOSState: Codable {
    /// Internal phases; `get status` prints INACTIVE for initial/loaded/stopped.
    enum Phase: String, Codable { case initial, loaded, booting, running, shuttingDown, stopped, panic }
    var index: Int
    var phase: Phase = .initial
    /// Assigned CPUs in assignment order (= LWK CPU numbering).
    var cpus: [Int] = []
    var memory: [SimChunk] = []
    var image: String?
    var kargs: String?
    var polls: Int = 0
    var shutdownAt: Double?
    /// Set by a `panic` fault: this boot ends in PANIC.
    var panicOnBoot: Bool?
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
    /// In the order added (boot CPU first).
    var cpus: [Int] = []
    var memory: [PiscesFormat.MemoryRange] = []
}

// MARK: mOS

/// `/sys/kernel/mOS/*` (research §3).
struct MOSState: Codable {
    var version = "0.8"
    var lwkCPUs: [Int] = []
    var utilityCPUs: [Int] = []
    /// Bytes per node index.
    var lwkmem: [UInt64] = []
    /// The raw spec written to lwk_config ("" when no partition).
    var config = ""
    var reservedCPUs: [Int] = []
    var jobid = ""
}
