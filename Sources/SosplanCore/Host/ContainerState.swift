/// A container service's container as podman reports it (`podman
/// container inspect`), next to its unit in systemd's state.
public struct ContainerState: Codable, Sendable, Hashable {
    /// `sosplan-<service>`.
    public var name: String
    /// podman's state: `running`, `exited`, `created`, ...; `missing` when
    /// podman has no container of that name, `unknown` when podman could
    /// not be asked.
    public var state: String
    public var id: String?
    /// The image reference it was started from.
    public var image: String?
    /// When its process started (podman's `StartedAt`): unchanged by a live update.
    public var startedAt: String?
    /// The CPUs and memory nodes its process may use now (after `podman
    /// update` too); "" when podman does not restrict them.
    public var cpusetCpus: CPUSet?
    public var cpusetMems: CPUSet?
    /// `--memory`, `--memory-reservation` in bytes as podman started it
    /// (podman 4 does not record a later `podman update`); nil: unlimited.
    public var memory: UInt64?
    public var memoryReservation: UInt64?

    public init(name: String, state: String) {
        self.name = name
        self.state = state
    }

    public var isRunning: Bool { state == "running" }
}
