import SosplanCore

/// Reads the kernel's noise and power state (`KernelState`).
public protocol KernelStateSource {
    func observeKernel(onlineCPUs: CPUSet) -> KernelObservation
}

public struct KernelObservation: Sendable {
    /// Nil when nothing of it could be read (a root without `/proc` and cpuidle).
    public var state: KernelState?
    public var warnings: [String]

    public init(state: KernelState? = nil, warnings: [String] = []) {
        self.state = state
        self.warnings = warnings
    }
}
