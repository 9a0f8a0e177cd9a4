/// The kernel-wide objects a step changes, as plan targets: the set of
/// IRQs (`irqs`), the default IRQ affinity (`irq:default`), the unbound
/// workqueues' mask (`workqueues`) and the kernel command line for the next
/// boot (`cmdline`). irqbalance steps target its unit, C-state and
/// frequency steps their CPUs (`cpu:<list>`).
public enum KernelObject: String, Sendable, Hashable, CaseIterable {
    case irqs
    case defaultIRQAffinity = "irq:default"
    case workqueues
    case commandLine = "cmdline"

    /// irqbalance's unit, the target of `irqbalance.*`.
    public static let irqbalanceUnit = "irqbalance.service"

    static func of(_ action: StepAction) -> KernelObject {
        switch action {
        case .irqDefaultAffinity: return .defaultIRQAffinity
        case .workqueueMask: return .workqueues
        case .kernelCommandLine: return .commandLine
        default: return .irqs
        }
    }
}
