/// `container:` of a service: an OCI image run by podman as
/// `sosplan-<name>.service`. Every value is validated when the layout is
/// read (`ContainerValues`) and reaches podman as one argument of a vector,
/// never through a shell.
public struct ContainerSpec: Sendable, Hashable {
    /// An image reference (`docker.io/library/nginx:1.25`, `localhost/web:1`).
    public var image: String
    /// Replaces the image's entrypoint (Kubernetes' `command`).
    public var command: [String]?
    /// Replaces the image's default arguments (Kubernetes' `args`).
    public var args: [String]?
    /// Environment variables, in layout order.
    public var environment: [EnvironmentVariable]
    public var mounts: [ContainerMount]
    /// `host`, `none`, `bridge`, or the name of a podman network.
    public var network: String?
    /// Published ports, `[ip:]hostPort:containerPort[/tcp|udp|sctp]`.
    public var publish: [String]
    /// `user`, `uid` or `uid:gid` inside the container.
    public var user: String?
    /// The working directory inside the container (absolute).
    public var workdir: String?
    /// Mount the image's root filesystem read-only.
    public var readOnly: Bool
    public var pull: PullPolicy?
    /// An OCI runtime name (`runc`, `crun`) or path; nil: the host's choice.
    public var runtime: String?

    public enum PullPolicy: String, Sendable, Hashable, CaseIterable {
        case missing, never, always, newer
    }

    public init(
        image: String, command: [String]? = nil, args: [String]? = nil, environment: [EnvironmentVariable] = [],
        mounts: [ContainerMount] = [], network: String? = nil, publish: [String] = [], user: String? = nil,
        workdir: String? = nil, readOnly: Bool = false, pull: PullPolicy? = nil, runtime: String? = nil
    ) {
        self.image = image
        self.command = command
        self.args = args
        self.environment = environment
        self.mounts = mounts
        self.network = network
        self.publish = publish
        self.user = user
        self.workdir = workdir
        self.readOnly = readOnly
        self.pull = pull
        self.runtime = runtime
    }

    /// The container's name: the unit's name without `.service`.
    public static func containerName(service: String) -> String { "sosplan-\(service)" }

    /// True for `sosplan-<service>` with a valid service name.
    public static func isContainerName(_ name: String) -> Bool {
        name.hasPrefix("sosplan-") && LayoutReader.dnsLabelProblem(String(name.dropFirst("sosplan-".count))) == nil
    }
}

public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A bind mount of a host path into the container.
public struct ContainerMount: Sendable, Hashable {
    public var source: String
    public var target: String
    public var readOnly: Bool

    public init(source: String, target: String, readOnly: Bool = false) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }
}
