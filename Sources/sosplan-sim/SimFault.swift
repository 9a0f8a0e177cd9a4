import Foundation
import SosplanCore

/// One injected fault, stored flat in `<root>/.sosplan-sim/faults.json`.
///
/// Kinds:
/// - `fail`: the `nth` call (1-based, counted from installation) of `tool`
///   `action` fails like the kernel returning `errno`, `count` times (0 =
///   until cleared). Actions are the tool's words (`reserve cpu`, `boot`,
///   `get status`) or the kernel step inside a tool (`launch`, `add_cpu`,
///   `add_mem`, `shutdown`, `free`, `online` for the Pisces tools and
///   pisces_run; `lwk_config`, `offline` for lwkctl, where `offline` is the
///   kernel taking an LWK CPU; `launch` for mcexec and yod).
/// - `fragment`: at most `bytes` more can be taken from `node` (IHK reserve
///   → ENOMEM, mOS gets less, Pisces finds blocks not removable).
/// - `chunks`: the free memory IHK can gather on `node` is exactly these
///   physically contiguous runs (`sizes`), so a reservation becomes chunks
///   of those sizes (`IHKMemory.reserve`). Applied when added; `clear` does
///   not undo it (the memory layout is the hardware's).
/// - `buildid`: `ihkconfig 0 get buildid` prints `jobid` (an IHK/mcctrl
///   built from other sources than McKernel).
/// - `mcctrl-missing`: /proc/modules has no `mcctrl` line.
/// - `refuse-offline`: CPU `cpu` cannot leave Linux (its `online` file is
///   removed, as for x86 CPU 0).
/// - `hold-device`: a process holds /dev/mcos`os` (destroy → EBUSY), for
///   `count` destroy attempts (0 = until cleared).
/// - `panic`: the next IHK boot ends in PANIC.
/// - `mos-job`: `/sys/kernel/mOS/ras/jobid` holds `jobid`, and
///   `lwkcpus_reserved` holds `cpus` when given.
/// - `stall`: the `nth` call of `tool` `action` (counted like `fail`)
///   sleeps `seconds` before it does its work, `count` times (0 = until
///   cleared), then proceeds normally. The action is read from the
///   arguments (`SimCallKind.action`: `reserve cpu`, `boot`, `get status`,
///   `launch`…); fewer words match more calls (`reserve` matches `reserve
///   cpu` and `reserve mem`) and `any` matches every call of the tool. The
///   sleep holds no lock and has written nothing yet, so killing the tool
///   (or its caller) during it leaves the simulated host as it was. With
///   `after`, the sleep comes once the work is done and saved, before the
///   tool exits: a kill then finds the change made but not yet seen.
///
/// Faults model the hardware and the tools, so `sosplan-sim reboot` keeps
/// them (and what they changed in the host); `fault clear` removes them.
struct SimFault: Codable, Equatable {
    var kind: String
    var tool: String?
    var action: String?
    var nth: Int?
    var count: Int?
    var errno: Int32?
    var node: Int?
    var bytes: UInt64?
    var cpu: Int?
    var os: Int?
    var jobid: String?
    var cpus: String?
    /// How long a `stall` sleeps, and whether after the work.
    var seconds: Double?
    var after: Bool?
    /// Run sizes of a `chunks` fault.
    var sizes: [UInt64]?
    /// Memory blocks a `fragment` fault made unremovable (restored on clear).
    var blocks: [Int]?
    /// Matching calls seen so far and failures produced.
    var seen: Int?
    var fired: Int?

    init(kind: String) { self.kind = kind }

    var summary: String {
        switch kind {
        case "fail":
            return "fail \(tool ?? "?") \(action ?? "?") nth=\(nth ?? 1) count=\(count ?? 1) errno=\(SimErrno.name(errno ?? 22)) (seen \(seen ?? 0), fired \(fired ?? 0))"
        case "fragment": return "fragment node \(node ?? 0): \(bytes ?? 0) bytes left"
        case "refuse-offline": return "refuse-offline cpu \(cpu ?? -1)"
        case "hold-device": return "hold-device /dev/mcos\(os ?? 0) count=\(count ?? 0) (fired \(fired ?? 0))"
        case "mos-job": return "mos-job \(jobid ?? "") reserved=\(cpus ?? "")"
        case "stall":
            return "stall \(tool ?? "?") \(action ?? "?") \(seconds ?? 0)s\(after == true ? " after" : "") nth=\(nth ?? 1) count=\(count ?? 1) (seen \(seen ?? 0), fired \(fired ?? 0))"
        case "chunks": return "chunks node \(node ?? 0): \((sizes ?? []).map(String.init).joined(separator: ","))"
        case "buildid": return "buildid \(jobid ?? "")"
        default: return kind
        }
    }
}

struct SimFaultFile: Codable {
    var faults: [SimFault]
}

/// errno values and names used by the simulated kernels.
enum SimErrno {
    static let table: [(String, Int32)] = [
        ("EPERM", 1), ("ENOENT", 2), ("EIO", 5), ("EAGAIN", 11), ("ENOMEM", 12), ("EACCES", 13), ("EBUSY", 16),
        ("EEXIST", 17), ("ENODEV", 19), ("EINVAL", 22), ("ENOSPC", 28),
    ]

    static func name(_ value: Int32) -> String { table.first { $0.1 == value }?.0 ?? "errno \(value)" }

    static func value(_ name: String) -> Int32? {
        table.first { $0.0 == name.uppercased() }?.1 ?? Int32(name)
    }
}

/// A kernel-side failure: what the ioctl (or sysfs write) returned.
struct SimKernelError: Error {
    var errno: Int32
    var message: String

    init(_ errno: Int32, _ message: String) {
        self.errno = errno
        self.message = message
    }
}
