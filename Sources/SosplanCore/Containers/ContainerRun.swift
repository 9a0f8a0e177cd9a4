/// One container as sosplan runs it: the layout's `container:` plus what
/// the placement gives it (CPUs, memory nodes) and its memory limits. It is
/// the single source of three forms that must agree: the plan's step
/// properties, podman's argument vector in the unit's `ExecStart=`, and that
/// vector read back from systemd (`parse`), so plan, apply and the next
/// observation compare like with like.
public struct ContainerRun: Sendable, Hashable {
    /// The container's name (`sosplan-<service>`).
    public var name: String
    public var spec: ContainerSpec
    /// `--cpuset-cpus`; empty: not restricted.
    public var cpus: CPUSet
    /// `--cpuset-mems`; empty: not restricted.
    public var memoryNodes: CPUSet
    /// `--memory` (the layout's `memory.max`).
    public var memory: UInt64?
    /// `--memory-reservation` (the layout's `memory.low`).
    public var memoryReservation: UInt64?

    public init(
        name: String, spec: ContainerSpec, cpus: CPUSet = CPUSet(), memoryNodes: CPUSet = CPUSet(), memory: UInt64? = nil,
        memoryReservation: UInt64? = nil
    ) {
        self.name = name
        self.spec = spec
        self.cpus = cpus
        self.memoryNodes = memoryNodes
        self.memory = memory
        self.memoryReservation = memoryReservation
    }

    /// The run a service gets on `cpus` with memory from `memoryNodes`.
    public init(service: ServiceSpec, container: ContainerSpec, cpus: CPUSet, memoryNodes: CPUSet) {
        func bytes(_ l: Limit?) -> UInt64? { if case .value(let v)? = l { return v } else { return nil } }
        self.init(
            name: ContainerSpec.containerName(service: service.name), spec: container, cpus: cpus, memoryNodes: memoryNodes,
            memory: bytes(service.memory.max), memoryReservation: bytes(service.memory.low))
    }

    /// The layout's rules, again: what reaches podman was checked here
    /// whatever its way in (layout, saved plan, journal).
    public func validate() throws(ContainerRunError) {
        func check(_ p: ContainerValues.Problem?, _ what: String) throws(ContainerRunError) {
            if let p { throw ContainerRunError("\(what): \(p.message)") }
        }
        guard ContainerSpec.isContainerName(name) else {
            throw ContainerRunError("container name '\(name)' is not sosplan-<service>")
        }
        try check(ContainerValues.imageProblem(spec.image), "image")
        for (i, a) in (spec.command ?? []).enumerated() { try check(ContainerValues.controlProblem(a, what: "argument"), "command[\(i)]") }
        if spec.command?.isEmpty == true { throw ContainerRunError("command is empty") }
        for (i, a) in (spec.args ?? []).enumerated() { try check(ContainerValues.controlProblem(a, what: "argument"), "args[\(i)]") }
        for e in spec.environment {
            try check(ContainerValues.environmentNameProblem(e.name), "env")
            try check(ContainerValues.controlProblem(e.value, what: "the value"), "env \(e.name)")
        }
        for m in spec.mounts {
            try check(ContainerValues.pathProblem(m.source, what: "the mount source", allowRoot: true), "mount")
            try check(ContainerValues.pathProblem(m.target, what: "the mount target"), "mount")
        }
        if let n = spec.network { try check(ContainerValues.networkProblem(n), "network") }
        for port in spec.publish { try check(ContainerValues.publishProblem(port), "publish") }
        if let u = spec.user { try check(ContainerValues.userProblem(u), "user") }
        if let w = spec.workdir { try check(ContainerValues.pathProblem(w, what: "the working directory", allowRoot: true), "workdir") }
        if let r = spec.runtime { try check(ContainerValues.runtimeProblem(r), "runtime") }
    }

    /// Whether two runs differ in what needs a new container. An unset
    /// runtime means "the host's choice", which is not a difference.
    public func needsRestart(comparedTo running: ContainerRun) -> Bool {
        var a = spec, b = running.spec
        if a.runtime == nil { b.runtime = nil }
        return a != b || name != running.name
    }
}

public struct ContainerRunError: Error, CustomStringConvertible, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
