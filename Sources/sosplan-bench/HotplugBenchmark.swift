import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport

/// `sosplan-bench hotplug [--transitions N]`: how fast `sosplan reconcile
/// --watch` follows real CPU hotplug. CPU 1 of this machine goes offline and
/// online N times (the live-CPU lock held, CPU 1 always brought back); each
/// time the latency is from the kernel's `offline`/`online` uevent of CPU 1
/// (seen on this process's own netlink socket) to the new `AllowedCPUs` of
/// the service's slice visible over D-Bus (read with one property call
/// every 2 ms). Against the lab's systemd (`scripts/systemd-lab`).
enum HotplugBenchmark {
    static let target = 300.0
    static let slice = "sosplan-web.slice"
    static let layout = RealHotplugLayout.text(name: "hotplug-latency")

    struct Transition {
        var online: Bool
        /// From the write to CPU 1's `online` file to its uevent.
        var kernel: Double
        /// From the uevent to `AllowedCPUs` over D-Bus.
        var latency: Double
    }

    static func run(_ arguments: [String]) throws {
        var transitions = 20
        var rest = arguments[...]
        while let a = rest.popFirst() {
            guard a == "--transitions", let n = rest.popFirst().flatMap(Int.init), n > 0 else {
                throw BenchmarkError("sosplan-bench hotplug [--transitions N]")
            }
            transitions = n
        }
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for row in try rows(transitions: transitions, sosplan: here.appendingPathComponent("sosplan")) { print(row.text) }
    }

    static func rows(transitions: Int, sosplan: URL) throws -> [BenchRow] {
        if let why = LiveCPU.unavailableReason { return [.skipped("hotplug", why)] }
        guard FileManager.default.isExecutableFile(atPath: sosplan.path) else { return [.skipped("hotplug", "no \(sosplan.path)")] }
        // Its own lab always: `reconcile --watch` removes every sosplan unit
        // its layout does not name, e.g. the apply benchmark's 200 services.
        let lab = try SystemdBenchmark.startLab(reuse: false)
        defer { if let name = lab.name { _ = try? SystemdBenchmark.run(SystemdBenchmark.script, ["stop", "--purge", "--name", name]) } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bench-hotplug-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let layoutFile = scratch.appendingPathComponent("layout.yaml")
        try layout.write(to: layoutFile, atomically: true, encoding: .utf8)
        let logFile = scratch.appendingPathComponent("watch.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)

        let watcher = Process()
        watcher.executableURL = sosplan
        watcher.arguments = ["reconcile", "--watch", layoutFile.path]
        var environment = ProcessInfo.processInfo.environment
        environment["SOSPLAN_SYSTEMD_BUS"] = lab.bus
        environment["SOSPLAN_UNIT_DIR"] = lab.unitDirectory.path
        environment["SOSPLAN_STATE_DIR"] = scratch.appendingPathComponent("state").path
        watcher.environment = environment
        watcher.standardOutput = try FileHandle(forWritingTo: logFile)
        watcher.standardError = try FileHandle(forWritingTo: logFile)
        watcher.standardInput = FileHandle.nullDevice
        try watcher.run()
        defer {
            if watcher.isRunning { watcher.terminate() }
            watcher.waitUntilExit()
        }
        func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

        let bus = try SDBusConnection(address: lab.bus)
        let path = "/org/freedesktop/systemd1/unit/" + busLabel(slice)
        func allowed() -> CPUSet? {
            (try? bus.property(path: path, interface: "org.freedesktop.systemd1.Slice", name: "AllowedCPUs"))?
                .bytesValue.map { CPUSet(systemdBitmap: $0) }
        }
        guard Poll.until(timeout: 60, interval: 0.05, { allowed() == CPUSet([LiveCPU.cpu]) }) else {
            throw BenchmarkError("the watcher never placed web on CPU \(LiveCPU.cpu): \(log())")
        }
        let uevents = try UeventSocket.kernel()
        var done: [Transition] = []
        var failure: String?
        LiveCPU.withExclusive {
            defer { LiveCPU.restore() }
            for i in 0..<transitions {
                let online = i % 2 == 1
                let want = CPUSet([online ? LiveCPU.cpu : 0])
                _ = uevents.drain()
                let written = ObserveBenchmark.now(CLOCK_MONOTONIC)
                do { try LiveCPU.set(online: online) } catch {
                    failure = "cannot write \(LiveCPU.onlineFile): \(error)"
                    return
                }
                var event: Double?
                var seen: Double?
                let deadline = written + 10_000
                while seen == nil && ObserveBenchmark.now(CLOCK_MONOTONIC) < deadline {
                    if event == nil {
                        for case .event(let e) in uevents.drain()
                        where e.devpath == "/devices/system/cpu/cpu\(LiveCPU.cpu)" && e.action == (online ? "online" : "offline") {
                            event = ObserveBenchmark.now(CLOCK_MONOTONIC)
                        }
                    }
                    if allowed() == want { seen = ObserveBenchmark.now(CLOCK_MONOTONIC) } else { usleep(2_000) }
                }
                guard let event, let seen else {
                    failure = "transition \(i + 1) (\(online ? "online" : "offline")): \(event == nil ? "no uevent" : "AllowedCPUs never became \(want)") within 10 s"
                    return
                }
                done.append(Transition(online: online, kernel: event - written, latency: seen - event))
                // Let the pass finish its bookkeeping before the next change.
                usleep(300_000)
            }
        }
        if let failure { throw BenchmarkError("\(failure): \(log())") }
        let latency = Samples(values: done.map(\.latency))
        let settle = settleTimes(log())
        let settleNote = settle.isEmpty ? "" : String(format: "; the watch settled %.0f ms (median) after the first event", Benchmark.median(settle))
        return [BenchRow(
            name: "hotplug: real CPU \(LiveCPU.cpu) offline/online, uevent → new `AllowedCPUs` over D-Bus (`reconcile --watch`, \(done.count) transitions)",
            figure: latency.ms(), spread: latency.spread(),
            peer: String(format: "the kernel's own offline/online (write → uevent) %.1f ms", Benchmark.median(done.map(\.kernel))),
            target: "≤ \(Int(target)) ms (median)", met: latency.median <= target,
            limits: "settle + observe + plan + apply of the slice over the lab's D-Bus\(settleNote)")]
    }

    /// The settle waits the watch logged ("(settled after N ms)").
    static func settleTimes(_ log: String) -> [Double] {
        log.components(separatedBy: "(settled after ").dropFirst().compactMap { part in
            part.split(separator: " ").first.flatMap { Double($0) }
        }
    }

    /// systemd's object path label: bytes outside [A-Za-z0-9] as `_xx`.
    static func busLabel(_ name: String) -> String {
        var out = ""
        for b in name.utf8 {
            let c = Character(Unicode.Scalar(b))
            if c.isASCII && (c.isLetter || c.isNumber) { out.append(c) } else { out += String(format: "_%02x", b) }
        }
        return out
    }
}
