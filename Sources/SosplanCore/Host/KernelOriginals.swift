/// The values kernel settings had before sosplan first changed them, kept
/// in the state directory (`kernel-originals.json`) while sosplan holds
/// them: an IRQ it moved off isolated CPUs, the default IRQ affinity, the
/// workqueue mask, irqbalance it stopped, C-states it disabled, a governor
/// or frequency limit it set. When the layout stops asking, the plan puts
/// these back, and the record goes. Each list is sorted, so the snapshot
/// (and its fingerprint) does not depend on the order things were taken.
public struct KernelOriginals: Codable, Sendable, Hashable {
    /// IRQs moved, with their affinity before (and the name they had then,
    /// so a number reused by another device is not "restored").
    public var irqs: [HeldIRQ]
    /// IRQs the kernel refused to move (EIO): not tried again while the
    /// same handler owns the number.
    public var refusedIRQs: [HeldIRQ]
    public var defaultIRQAffinity: CPUSet?
    public var workqueueMask: CPUSet?
    /// True when sosplan stopped a running irqbalance.
    public var irqbalanceStopped: Bool?
    /// Per CPU: the states disabled before, the governor and limits before.
    public var idle: [HeldIdle]
    public var frequency: [HeldFrequency]

    public init(
        irqs: [HeldIRQ] = [], refusedIRQs: [HeldIRQ] = [], defaultIRQAffinity: CPUSet? = nil, workqueueMask: CPUSet? = nil,
        irqbalanceStopped: Bool? = nil, idle: [HeldIdle] = [], frequency: [HeldFrequency] = []
    ) {
        self.irqs = irqs
        self.refusedIRQs = refusedIRQs
        self.defaultIRQAffinity = defaultIRQAffinity
        self.workqueueMask = workqueueMask
        self.irqbalanceStopped = irqbalanceStopped
        self.idle = idle
        self.frequency = frequency
    }

    public var isEmpty: Bool { self == KernelOriginals() }

    public func irq(_ number: Int) -> HeldIRQ? { irqs.first { $0.irq == number } }
    public func idle(cpu: Int) -> HeldIdle? { idle.first { $0.cpu == cpu } }
    public func frequency(cpu: Int) -> HeldFrequency? { frequency.first { $0.cpu == cpu } }

    /// True when the kernel refused to move this IRQ while it had this name.
    public func refused(_ irq: IRQState) -> Bool { refusedIRQs.contains { $0.irq == irq.number && $0.name == irq.name } }

    /// Sorts every list (after changes).
    public mutating func normalize() {
        irqs.sort { $0.irq < $1.irq }
        refusedIRQs.sort { $0.irq < $1.irq }
        idle.sort { $0.cpu < $1.cpu }
        frequency.sort { $0.cpu < $1.cpu }
    }

    /// Sets (or with nil removes) the record of one IRQ.
    public mutating func setIRQ(_ number: Int, _ held: HeldIRQ?) {
        irqs.removeAll { $0.irq == number }
        if let held { irqs.append(held) }
        normalize()
    }

    public mutating func setIdle(cpu: Int, _ held: HeldIdle?) {
        idle.removeAll { $0.cpu == cpu }
        if let held { idle.append(held) }
        normalize()
    }

    public mutating func setFrequency(cpu: Int, _ held: HeldFrequency?) {
        frequency.removeAll { $0.cpu == cpu }
        if let held, !held.isEmpty { frequency.append(held) }
        normalize()
    }
}

public struct HeldIRQ: Codable, Sendable, Hashable {
    public var irq: Int
    public var name: String?
    /// The affinity before sosplan moved it (unused for refused IRQs).
    public var affinity: CPUSet

    public init(irq: Int, name: String?, affinity: CPUSet) {
        self.irq = irq
        self.name = name
        self.affinity = affinity
    }
}

public struct HeldIdle: Codable, Sendable, Hashable {
    public var cpu: Int
    /// Indexes of the states that were disabled.
    public var disabled: IDSet

    public init(cpu: Int, disabled: IDSet) {
        self.cpu = cpu
        self.disabled = disabled
    }
}

/// The frequency settings of one CPU before sosplan set them; nil fields
/// were not changed.
public struct HeldFrequency: Codable, Sendable, Hashable {
    public var cpu: Int
    public var governor: String?
    public var minimum: Int?
    public var maximum: Int?

    public init(cpu: Int, governor: String? = nil, minimum: Int? = nil, maximum: Int? = nil) {
        self.cpu = cpu
        self.governor = governor
        self.minimum = minimum
        self.maximum = maximum
    }

    public var isEmpty: Bool { governor == nil && minimum == nil && maximum == nil }
}
