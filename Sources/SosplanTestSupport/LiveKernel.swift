import Foundation

/// The kernel state of this machine that isolation and power change (IRQ
/// affinities, the default IRQ affinity, the unbound-workqueue mask and the
/// cpuidle `disable` switches), read as the kernel prints it, written back
/// as it was. Tests that change it hold `LiveCPU.withExclusive` and a
/// `LiveKernel.Guard`, which puts it back also when the test process is
/// killed.
public struct LiveKernel: Equatable, Sendable, CustomStringConvertible {
    /// `smp_affinity_list` of every IRQ in `/proc/irq`.
    public var irqAffinity: [Int: String]
    public var defaultIRQAffinity: String?
    public var workqueueMask: String?
    /// `disable` of every cpuidle state, by its path.
    public var idleDisabled: [String: String]

    static let defaultAffinityFile = "/proc/irq/default_smp_affinity"
    static let workqueueFile = "/sys/devices/virtual/workqueue/cpumask"

    /// Why this machine's IRQs and workqueue mask cannot be tested, or nil.
    public static let unavailableReason: String? = {
        if let reason = LiveCPU.unavailableReason { return reason }
        guard access(defaultAffinityFile, W_OK) == 0 else { return "\(defaultAffinityFile) is missing or read-only" }
        guard access(workqueueFile, W_OK) == 0 else { return "\(workqueueFile) is missing or read-only" }
        guard !read().irqAffinity.isEmpty else { return "this kernel lists no IRQ in /proc/irq" }
        return nil
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    public static func read() -> LiveKernel {
        var irqs: [Int: String] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/irq")) ?? [] {
            guard let n = Int(entry), let list = text("/proc/irq/\(n)/smp_affinity_list") else { continue }
            irqs[n] = list
        }
        var idle: [String: String] = [:]
        for state in idleStates() { idle[state.path + "/disable"] = text(state.path + "/disable") }
        return LiveKernel(
            irqAffinity: irqs, defaultIRQAffinity: text(defaultAffinityFile), workqueueMask: text(workqueueFile), idleDisabled: idle)
    }

    /// Writes every value back; the kernel's refusals (managed IRQs) are
    /// left as they are.
    public func restore() {
        for (path, value) in writes() { _ = Self.write(value, to: path) }
    }

    /// What `restore` writes: (file, value), each value checked to be a CPU
    /// list, a hex mask or a digit (it goes into the guard's shell script).
    func writes() -> [(String, String)] {
        var out: [(String, String)] = []
        for (n, list) in irqAffinity.sorted(by: { $0.key < $1.key }) { out.append(("/proc/irq/\(n)/smp_affinity_list", list)) }
        if let defaultIRQAffinity { out.append((Self.defaultAffinityFile, defaultIRQAffinity)) }
        if let workqueueMask { out.append((Self.workqueueFile, workqueueMask)) }
        for (path, value) in idleDisabled.sorted(by: { $0.key < $1.key }) { out.append((path, value)) }
        let safe = CharacterSet(charactersIn: "0123456789abcdefABCDEF,-")
        let safePath = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789_/")
        return out.filter {
            !$0.1.isEmpty && $0.1.unicodeScalars.allSatisfy(safe.contains) && $0.0.unicodeScalars.allSatisfy(safePath.contains)
        }
    }

    public var description: String {
        "irqs \(irqAffinity.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")); "
            + "default \(defaultIRQAffinity ?? "-"); workqueues \(workqueueMask ?? "-"); "
            + "idle \(idleDisabled.sorted { $0.key < $1.key }.map { "\($0.key.split(separator: "/").suffix(4).joined(separator: "/"))=\($0.value)" }.joined(separator: " "))"
    }

    // MARK: - Single files

    /// A cpuidle state of a CPU: its directory, name and exit latency (µs).
    public struct IdleState: Sendable {
        public var cpu: Int
        public var path: String
        public var name: String
        public var latency: Int
        public var disabled: Bool { LiveKernel.text(path + "/disable") == "1" }
    }

    public static func idleStates() -> [IdleState] {
        var out: [IdleState] = []
        let base = "/sys/devices/system/cpu"
        for entry in ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted() {
            guard entry.hasPrefix("cpu"), let cpu = Int(entry.dropFirst(3)) else { continue }
            let dir = "\(base)/\(entry)/cpuidle"
            for state in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where state.hasPrefix("state") {
                let path = "\(dir)/\(state)"
                guard let name = text(path + "/name"), let latency = text(path + "/latency").flatMap(Int.init) else { continue }
                out.append(IdleState(cpu: cpu, path: path, name: name, latency: latency))
            }
        }
        return out
    }

    /// A kernel file's text without its trailing newline.
    public static func text(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `value` in one write(2); the errno when the kernel refuses.
    @discardableResult
    public static func write(_ value: String, to path: String) -> Int32? {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        return bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) } == bytes.count ? nil : errno
    }

    /// True when the kernel lets this IRQ's affinity be set: its current
    /// list written back is accepted (managed IRQs are refused, nothing
    /// changes either way).
    public static func isMovable(_ irq: Int) -> Bool {
        guard let list = text("/proc/irq/\(irq)/smp_affinity_list") else { return false }
        return write(list, to: "/proc/irq/\(irq)/smp_affinity_list") == nil
    }

    /// A kernel CPU list (`0-1,4`) or hex mask (`00000000,00000003`) as CPU numbers.
    public static func cpus(list: String) -> Set<Int> {
        var out: Set<Int> = []
        for part in list.split(separator: ",") {
            let ends = part.split(separator: "-").compactMap { Int($0) }
            if ends.count == 1 { out.insert(ends[0]) } else if ends.count == 2, ends[0] <= ends[1] { out.formUnion(ends[0]...ends[1]) }
        }
        return out
    }

    public static func cpus(mask: String) -> Set<Int> {
        var out: Set<Int> = []
        for (i, c) in mask.filter({ $0 != "," }).reversed().enumerated() {
            guard let v = c.hexDigitValue else { continue }
            for bit in 0..<4 where v & (1 << bit) != 0 { out.insert(i * 4 + bit) }
        }
        return out
    }
}

extension LiveKernel {
    /// Puts the state read at its creation back when `release` is called,
    /// and, through a small shell process of its own session, when the test
    /// process dies without calling it (SIGKILL, a crash).
    public final class Guard: @unchecked Sendable {
        public let saved: LiveKernel
        private let directory: URL
        private var released = false

        public init() throws {
            saved = LiveKernel.read()
            directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sosplan-kernel-guard-\(getpid())-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let restore = saved.writes().map { "echo \($0.1) > \($0.0) 2>/dev/null" }.joined(separator: "\n")
            let done = directory.appendingPathComponent("done").path
            let script = """
                while kill -0 \(getpid()) 2>/dev/null && [ ! -e \(done) ]; do sleep 0.2; done
                if [ ! -e \(done) ]; then
                \(restore)
                fi
                rm -rf \(directory.path)

                """
            let file = directory.appendingPathComponent("restore.sh")
            try script.write(to: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            process.arguments = ["/bin/sh", file.path]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        /// Restores the saved state and lets the guard process end.
        public func release() {
            guard !released else { return }
            released = true
            saved.restore()
            FileManager.default.createFile(atPath: directory.appendingPathComponent("done").path, contents: nil)
        }

        deinit { release() }
    }
}
