import FoundationEssentials
import SosplanCore

/// How an apply runs: who started it, how long it waits for the lock.
public struct ApplyOptions: Sendable {
    /// The command line, recorded in the lock and the journal.
    public var command: String
    /// What started it (`cli`, `path-unit`, `hotplug`, `boot`, `watch`).
    public var trigger: String
    /// Seconds to wait for another apply to finish (0: fail at once).
    public var lockTimeout: Double
    public var crashPoint: CrashPoint?

    public init(command: String, trigger: String = "cli", lockTimeout: Double = 0, crashPoint: CrashPoint? = nil) {
        self.command = command
        self.trigger = trigger
        self.lockTimeout = lockTimeout
        self.crashPoint = crashPoint
    }
}

/// A plan ready to be carried out, with what it was made from.
public struct PreparedApply: Sendable {
    public var plan: Plan
    /// The host as observed just before (the state a rollback returns to).
    public var snapshot: HostSnapshot
    public var layout: HostLayout?
    public var source: JournalLayout?
    /// Units observed with the snapshot; observed again to check the result.
    public var unitNames: [String]
    /// When the snapshot was taken (a fresh one stands in for the steps' first reads).
    public var observedAt = Date()
    /// What started this apply, when it is known only now (a reconcile pass
    /// infers it from the snapshot); nil: the options' trigger.
    public var trigger: String?
}
