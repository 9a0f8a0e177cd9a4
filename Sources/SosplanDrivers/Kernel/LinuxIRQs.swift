import FoundationEssentials
import Glibc
import SosplanCore

/// Device interrupts under a root: `/proc/irq/N/smp_affinity_list` and
/// `effective_affinity_list`, the handlers' names from `/proc/interrupts`,
/// `/proc/irq/default_smp_affinity`, and which IRQs the kernel manages
/// (debugfs `irq/irqs/N`, when mounted). Writing an affinity the kernel
/// refuses (EIO: a managed IRQ, or one that cannot move) is reported as
/// such, not as a failure.
public struct LinuxIRQs: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    /// Every IRQ of `/proc/irq`, by number; empty when there is no such folder.
    func read(_ reader: SysfsReader) -> [IRQState] {
        guard let numbers = reader.list("proc/irq")?.compactMap({ Int($0) }).sorted(), !numbers.isEmpty else { return [] }
        let names = reader.text("proc/interrupts").map(Self.interruptNames) ?? [:]
        let managed = Self.managedIRQs(reader)
        return numbers.compactMap { n in
            guard let affinity = reader.cpuSet(list: "proc/irq/\(n)/smp_affinity_list", mask: "proc/irq/\(n)/smp_affinity") else { return nil }
            let effective = reader.cpuList("proc/irq/\(n)/effective_affinity_list")
            return IRQState(
                number: n, name: names[n]?.name, chip: names[n]?.chip, affinity: affinity, effective: effective,
                movable: managed.contains(n) ? false : nil)
        }
    }

    /// `/proc/interrupts` rows with a number: the handlers' names (the last
    /// column, which may hold several, comma-separated) and the chip and
    /// hardware IRQ between the per-CPU counts and the names.
    static func interruptNames(_ text: String) -> [Int: (name: String?, chip: String?)] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first else { return [:] }
        let cpuColumns = header.split(separator: " ").filter { $0.hasPrefix("CPU") }.count
        lines.removeFirst()
        var out: [Int: (String?, String?)] = [:]
        for line in lines {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, first.hasSuffix(":"), let n = Int(first.dropLast()) else { continue }
            let rest = Array(fields.dropFirst(1 + cpuColumns))
            // chip, hwirq+type, then the names (the kernel pads with spaces).
            guard rest.count >= 2 else { out[n] = (nil, rest.first.map(String.init)); continue }
            let chip = rest.prefix(2).joined(separator: " ")
            let name = rest.count > 2 ? rest.dropFirst(2).joined(separator: " ") : nil
            out[n] = (name.map { Self.printable($0) }, Self.printable(chip))
        }
        return out
    }

    /// Names come from drivers: keep them to printable ASCII, at most `limit` characters.
    static func printable(_ s: String, limit: Int = 64) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }.prefix(limit)))
    }

    /// IRQs whose affinity the kernel manages (`IRQD_AFFINITY_MANAGED` in
    /// debugfs, `/sys/kernel/debug/irq/irqs/N`); empty without debugfs.
    static func managedIRQs(_ reader: SysfsReader) -> Set<Int> {
        guard let entries = reader.list("sys/kernel/debug/irq/irqs") else { return [] }
        var out = Set<Int>()
        for name in entries {
            guard let n = Int(name), reader.contains("sys/kernel/debug/irq/irqs/\(name)", "AFFINITY_MANAGED") == true else { continue }
            out.insert(n)
        }
        return out
    }

    public enum Outcome: Sendable, Equatable {
        case unchanged, changed
        /// The kernel refused the write (EIO, EPERM; the reason): it will not move this IRQ.
        case refused(String)
    }

    /// Writes one IRQ's affinity and reads it back.
    public func setAffinity(_ irq: Int, _ cpus: CPUSet) throws(KernelFile.WriteError) -> Outcome {
        let file = KernelFile(root: root, "/proc/irq/\(irq)/smp_affinity_list")
        if affinity(irq) == cpus { return .unchanged }
        do { try file.write(cpus.description) } catch where error.refused { return .refused(error.description) }
        return .changed
    }

    /// One IRQ's affinity now; nil when it is gone.
    public func affinity(_ irq: Int) -> CPUSet? {
        KernelFile(root: root, "/proc/irq/\(irq)/smp_affinity_list").read().flatMap { try? CPUSet(lenientList: $0) }
    }

    /// IRQ numbers present now.
    public func numbers() -> [Int] {
        let dir = EnclaveToolConfiguration(root: root).hostPath("/proc/irq")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap { Int($0) }.sorted()
    }

    /// The handlers' names of every IRQ now (`/proc/interrupts`).
    public func names() -> [Int: String] {
        guard let text = KernelFile(root: root, "/proc/interrupts").readAll() else { return [:] }
        return Self.interruptNames(text).compactMapValues(\.name)
    }
}
