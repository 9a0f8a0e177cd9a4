import Foundation
import SosplanCore
import SosplanDrivers

/// `sosplan-sim uevents --root DIR --socket PATH`: the simulated kernel's
/// uevent broadcast. It watches the state files with inotify and sends to
/// the datagram socket a watcher listens on; nobody listening loses the
/// event, as with netlink. Runs until killed or until `--watch-pid` exits.
/// The kernel's rules it follows (Linux 6.8 line numbers, DepSurf's index;
/// the order measured on these VMs' 6.18 kernel in
/// research/hotplug-and-containers.md):
/// - whoever writes a CPU's or memory block's state (sosplan's steps, the
///   co-kernel simulators, a test), the device sends `offline`/`online`
///   once the change succeeded: `device_offline()` and `device_online()`
///   (drivers/base/core.c:4135 and :4173) call `kobject_uevent()` with
///   KOBJ_OFFLINE/KOBJ_ONLINE after the bus callback returns 0;
/// - a CPU's cpuid device is removed while the CPU goes down and added while
///   it comes up, inside that callback: `remove@/devices/virtual/cpuid/cpuN`
///   comes before `offline`, `add@` before `online` (arch/x86/kernel/cpuid.c,
///   torvalds/linux@6f84981: `cpuid_device_destroy` at CPU_DEAD, :173, and
///   `cpuid_device_create` at CPU_UP_PREPARE, :168; today the teardown and
///   startup of its CPUHP_AP_ONLINE_DYN state);
/// - SEQNUM grows by one per event (lib/kobject_uevent.c, `uevent_seqnum`).
enum SimUevents {
    static func run(_ args: [String]) throws -> Int32 {
        var root = "", socketPath = "", watchPid: Int32?
        var i = 0
        while i < args.count {
            guard i + 1 < args.count else { throw SimStore.SimError(description: "\(args[i]) needs a value") }
            switch args[i] {
            case "--root": root = args[i + 1]
            case "--socket": socketPath = args[i + 1]
            case "--watch-pid": watchPid = Int32(args[i + 1])
            default: throw SimStore.SimError(description: "unknown option '\(args[i])'")
            }
            i += 2
        }
        guard !root.isEmpty, !socketPath.isEmpty else { throw SimStore.SimError(description: "uevents needs --root DIR and --socket PATH") }
        let kernel = try Broadcaster(root: root, socket: socketPath)
        signal(SIGPIPE, SIG_IGN)
        while true {
            if let pid = watchPid, kill(pid, 0) != 0 && errno == ESRCH { return 0 }
            var fds = [pollfd(fd: kernel.inotify, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 1, 1000)
            kernel.process()
        }
    }

    /// Watches `cpuN/` and `memoryN/` directories and sends what changed.
    final class Broadcaster {
        let root: String
        let socket: String
        let inotify: Int32
        var devices: [Int32: HotplugChange.Device] = [:]
        var known: [HotplugChange.Device: Bool] = [:]
        var seqnum: UInt64 = 1

        init(root: String, socket: String) throws {
            self.root = root
            self.socket = socket
            inotify = inotify_init1(Int32(IN_CLOEXEC) | Int32(IN_NONBLOCK))
            guard inotify >= 0 else { throw SimStore.SimError(description: "inotify_init1: \(String(cString: strerror(errno)))") }
            let fm = FileManager.default
            let cpuBase = root + "/sys/devices/system/cpu"
            for name in (try? fm.contentsOfDirectory(atPath: cpuBase)) ?? [] where name.hasPrefix("cpu") {
                guard let id = Int(name.dropFirst(3)), fm.fileExists(atPath: "\(cpuBase)/\(name)/online") else { continue }
                watch("\(cpuBase)/\(name)", .cpu(id))
            }
            let memBase = root + "/sys/devices/system/memory"
            for name in (try? fm.contentsOfDirectory(atPath: memBase)) ?? [] where name.hasPrefix("memory") {
                guard let id = Int(name.dropFirst(6)) else { continue }
                watch("\(memBase)/\(name)", .memoryBlock(id))
            }
        }

        private func watch(_ dir: String, _ device: HotplugChange.Device) {
            let wd = inotify_add_watch(inotify, dir, UInt32(IN_CLOSE_WRITE | IN_MODIFY))
            guard wd >= 0 else { return }
            devices[wd] = device
            known[device] = isOnline(device)
        }

        func isOnline(_ device: HotplugChange.Device) -> Bool? {
            switch device {
            case .cpu(let id):
                let text = try? String(contentsOfFile: root + "/sys/devices/system/cpu/cpu\(id)/online", encoding: .utf8)
                return text.map { $0.trimmingASCIIWhitespace() != "0" }
            case .memoryBlock(let id):
                let text = try? String(contentsOfFile: root + "/sys/devices/system/memory/memory\(id)/state", encoding: .utf8)
                return text.map { $0.trimmingASCIIWhitespace() == "online" }
            case .pciDevice:
                // Not watched: PCI devices have no online state file.
                return nil
            }
        }

        func process() {
            var touched: [HotplugChange.Device] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                while offset + 16 <= n {
                    let wd = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
                    let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                    if let device = devices[wd], !touched.contains(device) { touched.append(device) }
                    offset += 16 + length
                }
            }
            for device in touched {
                guard let now = isOnline(device), now != known[device] else { continue }
                known[device] = now
                if case .cpu(let id) = device {
                    send(Uevent(action: now ? "add" : "remove", devpath: "/devices/virtual/cpuid/cpu\(id)", subsystem: "cpuid", seqnum: nil))
                }
                send(HotplugChange(device: device, kind: now ? .online : .offline).uevent(seqnum: 0))
            }
        }

        private func send(_ event: Uevent) {
            var e = event
            e.seqnum = seqnum
            seqnum += 1
            UeventSocket.send(e, to: socket)
        }
    }
}
