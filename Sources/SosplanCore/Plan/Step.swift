/// One executable change. `before` and `after` hold the properties that
/// change (systemd property names for units, `cpus`/`memory` for enclaves),
/// so a step can be shown, executed, checked and inverted on its own.
public struct Step: Sendable, Hashable {
    public var id: String
    public var action: StepAction
    /// The object changed (in JSON: a unit name, `enclave:<name>`,
    /// `cpu:<list>`, `hugepages:<size>@node<N>`; see `StepTarget`).
    public var target: StepTarget
    public var dependsOn: [String]
    public var disruption: Disruption
    public var before: PropertyMap
    public var after: PropertyMap
    /// Why the step exists, in a few words (for the text plan).
    public var reason: String?
    /// What the step takes from and gives to its owners, as the planner
    /// worked it out. In memory only: not encoded, not compared, and empty
    /// in a plan read back from JSON.
    public var effects: StepEffects

    public init(
        id: String, action: StepAction, target: StepTarget, dependsOn: [String] = [],
        disruption: Disruption, before: PropertyMap = PropertyMap(), after: PropertyMap = PropertyMap(),
        reason: String? = nil, effects: StepEffects = StepEffects()
    ) {
        self.id = id
        self.action = action
        self.target = target
        self.dependsOn = dependsOn
        self.disruption = disruption
        self.before = before
        self.after = after
        self.reason = reason
        self.effects = effects
    }

    public static func == (a: Step, b: Step) -> Bool {
        a.id == b.id && a.action == b.action && a.target == b.target && a.dependsOn == b.dependsOn
            && a.disruption == b.disruption && a.before == b.before && a.after == b.after && a.reason == b.reason
    }

    public func hash(into h: inout Hasher) {
        h.combine(id)
        h.combine(action)
        h.combine(target)
    }
}

extension Step: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, action, target, dependsOn, disruption, before, after, reason
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        action = try c.decode(StepAction.self, forKey: .action)
        let text = try c.decode(String.self, forKey: .target)
        do { target = try StepTarget.parse(text, for: action) } catch {
            throw DecodingError.dataCorruptedError(forKey: .target, in: c, debugDescription: error.description)
        }
        dependsOn = try c.decode([String].self, forKey: .dependsOn)
        disruption = try c.decode(Disruption.self, forKey: .disruption)
        before = try c.decode(PropertyMap.self, forKey: .before)
        after = try c.decode(PropertyMap.self, forKey: .after)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        effects = StepEffects()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(action, forKey: .action)
        try c.encode(target.description, forKey: .target)
        try c.encode(dependsOn, forKey: .dependsOn)
        try c.encode(disruption, forKey: .disruption)
        try c.encode(before, forKey: .before)
        try c.encode(after, forKey: .after)
        try c.encodeIfPresent(reason, forKey: .reason)
    }
}

/// How disruptive a step is, least to most.
public enum Disruption: String, Codable, Sendable, Hashable, Comparable, CaseIterable {
    case none, live, restart, recreate, reboot

    public static func < (a: Disruption, b: Disruption) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The closed vocabulary of plan steps.
public enum StepAction: String, Codable, Sendable, Hashable, CaseIterable {
    case sliceCreate = "slice.create"
    case sliceUpdate = "slice.update"
    case sliceRemove = "slice.remove"
    /// Move an existing unit into a slice (drop-in `Slice=` + restart).
    case unitPlace = "unit.place"
    /// Undo `unit.place` (remove sosplan's drop-in + restart).
    case unitRelease = "unit.release"
    /// Create `sosplan-<name>.service` for an `exec:` service.
    case unitCreate = "unit.create"
    case unitUpdate = "unit.update"
    case unitRemove = "unit.remove"
    /// Create `sosplan-<name>.service` running a `container:` service's image.
    case containerCreate = "container.create"
    /// Change a container service: `live` (its CPUs or memory: `podman
    /// update` and the unit rewritten without a restart) or `restart` (its
    /// image, command or options: the unit rewritten and restarted).
    case containerUpdate = "container.update"
    /// Stop and remove the container and its unit.
    case containerRemove = "container.remove"
    /// Confine `system.slice`, `user.slice`, `init.scope` to the host CPUs.
    case hostConfine = "host.confine"
    case cpuOffline = "cpu.offline"
    case cpuOnline = "cpu.online"
    case memoryOffline = "memory.offline"
    case memoryOnline = "memory.online"
    case hugepagesSet = "hugepages.set"
    case enclaveCreate = "enclave.create"
    case enclaveGrow = "enclave.grow"
    case enclaveShrink = "enclave.shrink"
    case enclaveDestroy = "enclave.destroy"
    /// Stop the kubelet before its static CPU manager's CPUs change
    /// (kubelet's documented procedure; draining the node is the operator's).
    case kubeletStop = "kubelet.stop"
    /// Remove the CPU manager's state file (kept in the journal for undo).
    case kubeletClearCPUState = "kubelet.clear-cpu-state"
    /// Start the kubelet again once the host has its new CPUs.
    case kubeletStart = "kubelet.start"
    /// Write the Slurm node's line (CPUs, topology, `CpuSpecList`) into
    /// sosplan's slurm.conf drop-in and restart the daemons so that they
    /// read it: stop slurmd, restart slurmctld, start slurmd (the order in
    /// which slurmd never registers fewer CPUs than slurmctld expects).
    case slurmNode = "slurm.node"
    /// Kernel noise and CPU power (see `StepBuilder+Kernel`): the affinity
    /// of a set of IRQs, the default IRQ affinity, the unbound-workqueue
    /// mask, irqbalance's banned CPUs (a drop-in) or its running, C-states
    /// and frequency per CPU, and the kernel arguments for the next boot.
    case irqAffinity = "irq.affinity"
    case irqDefaultAffinity = "irq.default"
    case workqueueMask = "workqueue.cpumask"
    case irqbalanceBan = "irqbalance.ban"
    case irqbalanceStop = "irqbalance.stop"
    case irqbalanceStart = "irqbalance.start"
    case cpuidleSet = "cpuidle.set"
    case cpufreqSet = "cpufreq.set"
    case kernelCommandLine = "kernel.cmdline"

    public enum Effect: Sendable { case add, change, destroy }

    /// How the step counts in the summary line.
    public var effect: Effect {
        switch self {
        case .sliceCreate, .unitCreate, .containerCreate, .enclaveCreate: return .add
        case .sliceRemove, .unitRemove, .containerRemove, .enclaveDestroy: return .destroy
        default: return .change
        }
    }
}

/// An ordered map of property name to value (order = insertion order).
public struct PropertyMap: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    public var entries: [(String, JSONValue)]

    public init() { entries = [] }

    public init(dictionaryLiteral elements: (String, JSONValue)...) { entries = elements }

    public subscript(key: String) -> JSONValue? {
        get { entries.first { $0.0 == key }?.1 }
        set {
            if let i = entries.firstIndex(where: { $0.0 == key }) {
                if let newValue { entries[i].1 = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.0) }

    public static func == (a: PropertyMap, b: PropertyMap) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func hash(into h: inout Hasher) {
        for (k, v) in entries { h.combine(k); h.combine(v) }
    }

    public init(from decoder: any Decoder) throws {
        let v = try decoder.singleValueContainer().decode(JSONValue.self)
        guard let o = v.objectValue else {
            throw DecodingError.typeMismatch(
                PropertyMap.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an object"))
        }
        entries = o
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(JSONValue.object(entries))
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // Only JSONValueDecoder hands JSONValue through directly.
        throw DecodingError.dataCorrupted(
            .init(codingPath: decoder.codingPath, debugDescription: "JSONValue decodes only with JSONValueDecoder"))
    }

    public func encode(to encoder: any Encoder) throws {
        throw EncodingError.invalidValue(
            self, .init(codingPath: encoder.codingPath, debugDescription: "JSONValue encodes only with JSONValueEncoder"))
    }
}
