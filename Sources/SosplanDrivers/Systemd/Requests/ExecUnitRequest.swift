import SosplanCore

/// `unit.create` / `unit.update`: the `sosplan-<name>.service` that runs an
/// `exec:` service's argument vector in its slice.
public struct ExecUnitRequest: Sendable, Hashable {
    /// Must be `sosplan-<something>.service`.
    public var name: String
    /// The slice the service runs in.
    public var slice: String
    /// The argument vector; the first element is an absolute path. Passed to
    /// the program verbatim, never through a shell.
    public var arguments: [String]
    public var description: String?
    /// Settings on the service itself (usually empty: the slice carries them).
    public var resources: ResourceControl
    /// The program hands its job to something else and returns (Pisces'
    /// `pisces_run`): the unit is a oneshot that stays active once the
    /// launch succeeded, instead of a service whose process is the job.
    public var returnsAtLaunch = false
    /// NUMAPolicy= and NUMAMask= (`memory.policy`): set by systemd when it
    /// starts the service, so a change restarts it.
    public var numaPolicy: NUMAPolicySetting?

    public init(
        name: String, slice: String, arguments: [String], description: String? = nil,
        resources: ResourceControl = ResourceControl()
    ) {
        self.name = name
        self.slice = slice
        self.arguments = arguments
        self.description = description
        self.resources = resources
    }
}
