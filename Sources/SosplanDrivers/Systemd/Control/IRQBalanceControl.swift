import SosplanCore

/// What the apply engine asks of systemd for irqbalance: sosplan's drop-in
/// with the CPUs it must leave alone, and running or stopping it. Each
/// call is idempotent and returns the unit as systemd reports it afterwards.
public protocol IRQBalanceControl: AnyObject {
    /// Writes the drop-in banning `cpus` (an empty set removes it), reloads
    /// systemd, and restarts irqbalance when it runs (it reads its
    /// environment once, at start).
    func banIRQBalance(_ cpus: CPUSet) throws(SystemdError) -> SystemdChange
    /// The CPUs sosplan's drop-in bans now; nil when there is none.
    func irqbalanceBan() throws(SystemdError) -> CPUSet?
    /// Starts or stops irqbalance.
    func setIRQBalanceRunning(_ running: Bool) throws(SystemdError) -> SystemdChange
}
