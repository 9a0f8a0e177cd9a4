import FoundationEssentials
import Glibc
import SosplanCore

/// The kernel files the apply engine changes for isolation and power, under
/// one root, and sosplan's record of the values before (nil: nothing is
/// recorded, so nothing can be put back later; only tests leave it out).
public struct KernelDrivers: Sendable {
    public var root: String
    public var irqs: LinuxIRQs
    public var cpuPower: LinuxCPUPower
    public var bootArguments: GRUBBootArguments
    public var originals: KernelOriginalsFile?

    public init(root: String, state: StateDirectory? = nil) {
        self.root = root
        irqs = LinuxIRQs(root: root)
        cpuPower = LinuxCPUPower(root: root)
        bootArguments = GRUBBootArguments(root: root)
        originals = state.map(KernelOriginalsFile.init(state:))
    }

    /// `/proc/irq/default_smp_affinity`.
    public var defaultIRQAffinity: KernelMask {
        KernelMask(write: KernelFile(root: root, "/proc/irq/default_smp_affinity"), read: [KernelFile(root: root, "/proc/irq/default_smp_affinity")])
    }

    /// `/sys/devices/virtual/workqueue/cpumask`, read back from
    /// `cpumask_requested` where the kernel has it (the mask asked for,
    /// before CPUs of isolated cpuset partitions are taken out).
    public var workqueueMask: KernelMask {
        KernelMask(
            write: KernelFile(root: root, "/sys/devices/virtual/workqueue/cpumask"),
            read: [KernelFile(root: root, "/sys/devices/virtual/workqueue/cpumask_requested"),
                   KernelFile(root: root, "/sys/devices/virtual/workqueue/cpumask")])
    }

    /// The record of values before sosplan changed them (empty without one).
    public func record() -> KernelOriginals { originals?.read().0 ?? KernelOriginals() }

    public func saveRecord(_ record: KernelOriginals) throws {
        try originals?.write(record)
    }
}

/// A kernel-wide CPU mask in hexadecimal form.
public struct KernelMask: Sendable {
    public var write: KernelFile
    public var read: [KernelFile]

    public func current() -> CPUSet? {
        for file in read {
            if let text = file.read(), let set = Self.parse(text) { return set }
        }
        return nil
    }

    public func set(_ cpus: CPUSet) throws(KernelFile.WriteError) { try write.write(cpus.hexMask) }

    /// `00000000,0000000f` (commas between 32-bit groups) to a set.
    static func parse(_ text: String) -> CPUSet? {
        let hex = text.filter { $0 != "," && !$0.isWhitespace }
        guard !hex.isEmpty, hex.allSatisfy(\.isHexDigit) else { return nil }
        var ids: [Int] = []
        for (i, c) in hex.reversed().enumerated() {
            guard let v = c.hexDigitValue else { return nil }
            for bit in 0..<4 where v & (1 << bit) != 0 { ids.append(i * 4 + bit) }
        }
        return CPUSet(ids)
    }
}
