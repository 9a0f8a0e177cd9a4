/// The object a step changes, typed. A plan's JSON spells it as one string
/// (`Step.target`): a unit name for `slice.*`, `unit.*` and `container.*`;
/// `host`; `cpu:<list>`; `memory:<blocks>`; `hugepages:<size>@node<N>`;
/// `enclave:<name>`, or `enclave:<driver>:<instance>` for an instance
/// sosplan has no name for (an orphan the plan destroys); `file:<path>`
/// (`kubelet.clear-cpu-state`: the kubelet's state file). The string is
/// parsed here once, when a plan is decoded, and rendered here when it is
/// encoded; everything in between reads the type.
public enum StepTarget: Sendable, Hashable, CustomStringConvertible {
    /// A slice or unit (`slice.*`, `unit.*`, `container.*`).
    case unit(String)
    /// `system.slice`, `user.slice` and `init.scope` (`host.confine`).
    case host
    case cpus(CPUSet)
    case memoryBlocks(IDSet)
    case hugepages(HugepageTarget)
    case enclave(Enclave)
    /// A file another program keeps (the kubelet's CPU manager state), by
    /// its absolute path.
    case file(String)
    /// Kernel settings (`irq.*`, `workqueue.cpumask`, `kernel.cmdline`).
    case kernel(KernelObject)
    /// A Slurm node by its `NodeName` (`slurm.node`).
    case slurmNode(String)

    public enum Enclave: Sendable, Hashable {
        /// An enclave of the layout, by its name.
        case named(String)
        /// A co-kernel instance sosplan has no name for, by its driver's handle.
        case instance(driver: EnclaveDriverKind, handle: String)

        /// The layout name, when it has one.
        public var name: String? {
            if case .named(let n) = self { return n }
            return nil
        }
    }

    public var description: String {
        switch self {
        case .unit(let name): return name
        case .host: return "host"
        case .cpus(let cpus): return "cpu:\(cpus)"
        case .memoryBlocks(let blocks): return "memory:\(blocks)"
        case .hugepages(let h): return h.description
        case .enclave(.named(let name)): return "enclave:\(name)"
        case .enclave(.instance(let driver, let handle)): return "enclave:\(driver.rawValue):\(handle)"
        case .file(let path): return "file:\(path)"
        case .kernel(let object): return object.rawValue
        case .slurmNode(let name): return "slurm:\(name)"
        }
    }

    /// The slice or unit, for systemd steps.
    public var unitName: String? {
        if case .unit(let name) = self { return name }
        return nil
    }

    /// The CPUs of a `cpu.*` step (empty otherwise).
    public var cpus: CPUSet {
        if case .cpus(let cpus) = self { return cpus }
        return CPUSet()
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable, Hashable {
        public var description: String
    }

    /// Reads `text` as the target of an `action` step: each action has one
    /// kind of target, and text of another kind is refused.
    public static func parse(_ text: String, for action: StepAction) throws(ParseError) -> StepTarget {
        func list(_ prefix: String, _ kind: String) throws(ParseError) -> CPUSet {
            guard text.hasPrefix(prefix) else { throw ParseError(description: "'\(text)' is not a \(kind) target") }
            do { return try CPUSet(lenientList: String(text.dropFirst(prefix.count))) } catch {
                throw ParseError(description: "'\(text)' does not name a list (\(error.message))")
            }
        }
        switch action {
        case .sliceCreate, .sliceUpdate, .sliceRemove, .unitPlace, .unitRelease, .unitCreate, .unitUpdate, .unitRemove,
            .containerCreate, .containerUpdate, .containerRemove, .kubeletStop, .kubeletStart:
            guard !text.isEmpty else { throw ParseError(description: "an empty target names no unit") }
            return .unit(text)
        case .hostConfine:
            guard text == "host" else { throw ParseError(description: "'\(text)' is not the host target (host)") }
            return .host
        case .cpuOffline, .cpuOnline:
            return .cpus(try list("cpu:", "cpu:<list>"))
        case .memoryOffline, .memoryOnline:
            return .memoryBlocks(try list("memory:", "memory:<blocks>"))
        case .hugepagesSet:
            guard let h = HugepageTarget(text) else {
                throw ParseError(description: "'\(text)' is not a hugepages:<size>@node<N> target")
            }
            return .hugepages(h)
        case .enclaveCreate, .enclaveGrow, .enclaveShrink, .enclaveDestroy:
            guard text.hasPrefix("enclave:"), text.count > "enclave:".count else {
                throw ParseError(description: "'\(text)' is not an enclave:<name> target")
            }
            let rest = String(text.dropFirst("enclave:".count))
            let parts = rest.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, let driver = EnclaveDriverKind(rawValue: parts[0]) {
                return .enclave(.instance(driver: driver, handle: parts[1]))
            }
            return .enclave(.named(rest))
        case .kubeletClearCPUState:
            guard text.hasPrefix("file:"), let path = StepTarget.absolutePath(String(text.dropFirst("file:".count))) else {
                throw ParseError(description: "'\(text)' is not a file:<absolute path> target")
            }
            return .file(path)
        case .irqAffinity, .irqDefaultAffinity, .workqueueMask, .kernelCommandLine:
            let want = KernelObject.of(action)
            guard text == want.rawValue else { throw ParseError(description: "'\(text)' is not the \(action.rawValue) target (\(want.rawValue))") }
            return .kernel(want)
        case .irqbalanceBan, .irqbalanceStop, .irqbalanceStart:
            guard text == KernelObject.irqbalanceUnit else {
                throw ParseError(description: "'\(text)' is not the \(action.rawValue) target (\(KernelObject.irqbalanceUnit))")
            }
            return .unit(text)
        case .cpuidleSet, .cpufreqSet:
            return .cpus(try list("cpu:", "cpu:<list>"))
        case .slurmNode:
            let name = String(text.dropFirst("slurm:".count))
            guard text.hasPrefix("slurm:"), SlurmNodeDefinition.isName(name) else {
                throw ParseError(description: "'\(ControlCharacters.shown(text))' is not a slurm:<node name> target")
            }
            return .slurmNode(name)
        }
    }

    /// `path` when it is absolute and plain: no `.` or `..` component, no
    /// empty component, no control character, at most 4096 bytes.
    public static func absolutePath(_ path: String) -> String? {
        guard path.hasPrefix("/"), path.utf8.count <= 4096, path.count > 1,
            !path.unicodeScalars.contains(where: ControlCharacters.isControl)
        else { return nil }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return nil }
        return path
    }
}

extension StepTarget {
    /// The service one of sosplan's own units runs (`sosplan-<service>.service`,
    /// the target of `unit.create/update/remove` and `container.*`).
    public var ownUnitService: String? {
        guard case .unit(let name) = self, name.hasPrefix("sosplan-"), name.hasSuffix(".service") else { return nil }
        return String(name.dropFirst("sosplan-".count).dropLast(".service".count))
    }
}
