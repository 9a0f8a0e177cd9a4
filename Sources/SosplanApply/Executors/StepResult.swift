import SosplanCore

/// What a step did, for progress lines and the journal.
public struct StepResult: Sendable, Hashable {
    /// The driver's actions (`wrote …`, `reloaded systemd`, `started`...).
    public var actions: [String]
    /// The argument vector a launcher unit got, once its enclave's handle was known.
    public var execStart: [String]?
    /// The unit as systemd reported it after the change (slice steps: the
    /// batch reads every slice back after the reload).
    public var observed: SystemdUnit?

    public init(actions: [String] = [], execStart: [String]? = nil, observed: SystemdUnit? = nil) {
        self.actions = actions
        self.execStart = execStart
        self.observed = observed
    }
}
