/// `container.create` / `container.update`: the `sosplan-<name>.service`
/// that runs a `container:` service's podman command in its slice.
public struct ContainerUnitRequest: Sendable, Hashable {
    /// Must be `sosplan-<something>.service`.
    public var name: String
    public var slice: String
    /// `sosplan-<service>`: what `ExecStop=` removes.
    public var containerName: String
    /// podman's whole argument vector (`ContainerRun.argumentVector`); the
    /// first element is podman's absolute path.
    public var arguments: [String]
    /// More `Environment=` of the unit (e.g. `CONTAINERS_CONF`).
    public var environment: [(String, String)]
    public var description: String?

    public init(
        name: String, slice: String, containerName: String, arguments: [String], environment: [(String, String)] = [],
        description: String? = nil
    ) {
        self.name = name
        self.slice = slice
        self.containerName = containerName
        self.arguments = arguments
        self.environment = environment
        self.description = description
    }

    public static func == (a: ContainerUnitRequest, b: ContainerUnitRequest) -> Bool {
        a.name == b.name && a.slice == b.slice && a.containerName == b.containerName && a.arguments == b.arguments
            && a.environment.map { "\($0.0)=\($0.1)" } == b.environment.map { "\($0.0)=\($0.1)" } && a.description == b.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(arguments)
    }
}
