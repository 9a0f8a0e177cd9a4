/// What differs between two snapshots of one host, in words an operator
/// reads: "CPU 5 went offline", "sosplan-web.slice: AllowedCPUs 4-7 → 4-5".
/// Used to name what changed under a saved plan, to check that a rollback
/// brought the host back, and to report drift.
///
/// Free memory is not compared (it moves all the time on a live host, and
/// every step that takes memory checks it again when it runs), nor are
/// derived values (a unit's cgroup path and effective CPUs) or the driver's
/// handle of a named enclave.
public struct SnapshotDifference: Sendable, Hashable, CustomStringConvertible {
    /// The object that differs: `CPU 5`, `node 1`, a unit name, `enclave:lwk0`.
    public var subject: String
    /// What differs, e.g. `online → offline`.
    public var change: String

    public init(subject: String, change: String) {
        self.subject = subject
        self.change = change
    }

    public var description: String { "\(subject): \(change)" }

    /// Every difference from `old` to `new`, in a stable order (CPUs,
    /// nodes, units, enclaves, pools).
    public static func between(_ old: HostSnapshot, _ new: HostSnapshot) -> [SnapshotDifference] {
        var out: [SnapshotDifference] = []
        cpus(old.topology, new.topology, &out)
        nodes(old.topology, new.topology, &out)
        units(old.systemd, new.systemd, &out)
        enclaves(old.enclaves, new.enclaves, &out)
        pools(old.enclavePools, new.enclavePools, &out)
        kernel(old.kernel, new.kernel, &out)
        return out
    }

    private static func cpus(_ a: Topology, _ b: Topology, _ out: inout [SnapshotDifference]) {
        let old = Dictionary(a.cpus.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.cpus.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        for id in Set(old.keys).union(new.keys).sorted() {
            let s = "CPU \(id)"
            guard let x = old[id] else { out.append(.init(subject: s, change: "appeared")); continue }
            guard let y = new[id] else { out.append(.init(subject: s, change: "is gone (no longer present)")); continue }
            if x.online != y.online {
                let owner = y.owner.map { " (held by \($0))" } ?? ""
                out.append(.init(subject: s, change: y.online ? "came online" : "went offline\(owner)"))
            } else if x.owner != y.owner {
                out.append(.init(subject: s, change: "owner \(x.owner ?? "none") → \(y.owner ?? "none")"))
            }
            if x.node != y.node { out.append(.init(subject: s, change: "NUMA node \(show(x.node)) → \(show(y.node))")) }
        }
    }

    private static func nodes(_ a: Topology, _ b: Topology, _ out: inout [SnapshotDifference]) {
        let old = Dictionary(a.nodes.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.nodes.map { ($0.id, $0) }, uniquingKeysWith: { x, _ in x })
        for id in Set(old.keys).union(new.keys).sorted() {
            let s = "node \(id)"
            guard let x = old[id] else { out.append(.init(subject: s, change: "appeared")); continue }
            guard let y = new[id] else { out.append(.init(subject: s, change: "is gone")); continue }
            if x.memoryBytes != y.memoryBytes {
                out.append(.init(subject: s, change: "memory \(ByteSize(x.memoryBytes)) → \(ByteSize(y.memoryBytes))"))
            }
            let sizes = Set(x.hugepages.map(\.sizeBytes)).union(y.hugepages.map(\.sizeBytes)).sorted()
            for size in sizes {
                let p = x.hugepages(size: size)?.total ?? 0, q = y.hugepages(size: size)?.total ?? 0
                if p != q { out.append(.init(subject: s, change: "\(ByteSize(size)) hugepages \(p) → \(q)")) }
            }
            let blocksBefore = x.memoryBlocks?.offline ?? IDSet(), blocksAfter = y.memoryBlocks?.offline ?? IDSet()
            let wentOffline = blocksAfter.subtracting(blocksBefore), cameOnline = blocksBefore.subtracting(blocksAfter)
            if !wentOffline.isEmpty { out.append(.init(subject: s, change: "memory blocks \(wentOffline) went offline")) }
            if !cameOnline.isEmpty { out.append(.init(subject: s, change: "memory blocks \(cameOnline) came online")) }
        }
    }

    /// A unit that does not exist compares equal to a unit that is not there,
    /// and so does a bare parent of sosplan's slices: `sosplan-a-b.slice` makes
    /// systemd load `sosplan-a.slice` on its own, with no settings, and keep it for a while after.
    private static func units(_ a: SystemdState?, _ b: SystemdState?, _ out: inout [SnapshotDifference]) {
        func present(_ s: SystemdState?) -> [String: SystemdUnit] {
            Dictionary((s?.units ?? []).filter { $0.loadState != "not-found" && !isBareSlice($0) }.map { ($0.name, $0) },
                       uniquingKeysWith: { x, _ in x })
        }
        let old = present(a), new = present(b)
        for name in Set(old.keys).union(new.keys).sorted() {
            guard let x = old[name] else { out.append(.init(subject: name, change: "appeared")); continue }
            guard let y = new[name] else { out.append(.init(subject: name, change: "is gone")); continue }
            for (key, p, q) in unitFields(x, y) where p != q {
                out.append(.init(subject: name, change: "\(key) \(p) → \(q)"))
            }
        }
    }

    static func isBareSlice(_ u: SystemdUnit) -> Bool {
        u.name.hasPrefix("sosplan") && u.name.hasSuffix(".slice") && !u.managed && u.allowedCPUs == nil && u.allowedMemoryNodes == nil
            && u.cpuWeight == nil && u.memoryMax == nil && u.memoryHigh == nil
    }

    private static func unitFields(_ x: SystemdUnit, _ y: SystemdUnit) -> [(String, String, String)] {
        func list(_ s: CPUSet?) -> String { s.map { $0.isEmpty ? "(any)" : $0.description } ?? "(any)" }
        func n(_ v: UInt64?) -> String { v.map(String.init) ?? "infinity" }
        func w(_ v: UInt64?) -> String { v.map(String.init) ?? "(unset)" }
        return [
            ("ActiveState", x.activeState ?? "?", y.activeState ?? "?"),
            ("Slice", x.slice ?? "(none)", y.slice ?? "(none)"),
            ("AllowedCPUs", list(x.allowedCPUs), list(y.allowedCPUs)),
            ("AllowedMemoryNodes", list(x.allowedMemoryNodes), list(y.allowedMemoryNodes)),
            ("CPUWeight", w(x.cpuWeight), w(y.cpuWeight)),
            ("IOWeight", w(x.ioWeight), w(y.ioWeight)),
            ("MemoryMin", n(x.memoryMin ?? 0), n(y.memoryMin ?? 0)),
            ("MemoryLow", n(x.memoryLow ?? 0), n(y.memoryLow ?? 0)),
            ("MemoryHigh", n(x.memoryHigh), n(y.memoryHigh)),
            ("MemoryMax", n(x.memoryMax), n(y.memoryMax)),
            ("TasksMax", n(x.tasksMax), n(y.tasksMax)),
            ("managed by sosplan", x.managed ? "yes" : "no", y.managed ? "yes" : "no"),
            ("ExecStart", x.execStart.map { $0.joined(separator: " ") } ?? "(none)", y.execStart.map { $0.joined(separator: " ") } ?? "(none)"),
            ("container", container(x.container), container(y.container)),
        ]
    }

    /// A container's state, image and limits; not its id or start time (a
    /// rollback that restarts a container brings back the same one, new).
    static func container(_ c: ContainerState?) -> String {
        guard let c else { return "(none)" }
        var parts = [c.state, c.image ?? "?"]
        if let cpus = c.cpusetCpus, !cpus.isEmpty { parts.append("cpus \(cpus)") }
        if let mems = c.cpusetMems, !mems.isEmpty { parts.append("mems \(mems)") }
        if let m = c.memory { parts.append("memory \(m)") }
        if let m = c.memoryReservation { parts.append("reservation \(m)") }
        return parts.joined(separator: " ")
    }

    private static func enclaves(_ a: [EnclaveInstance], _ b: [EnclaveInstance], _ out: inout [SnapshotDifference]) {
        func key(_ e: EnclaveInstance) -> String { e.name.map { "enclave:\($0)" } ?? "\(e.driver.rawValue):\(e.instance)" }
        let old = Dictionary(a.map { (key($0), $0) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.map { (key($0), $0) }, uniquingKeysWith: { x, _ in x })
        for k in Set(old.keys).union(new.keys).sorted() {
            guard let x = old[k] else { out.append(.init(subject: k, change: "appeared (\(summary(new[k]!)))")); continue }
            guard let y = new[k] else { out.append(.init(subject: k, change: "is gone (it held \(summary(x)))")); continue }
            if x.driver != y.driver { out.append(.init(subject: k, change: "driver \(x.driver.rawValue) → \(y.driver.rawValue)")) }
            if x.state != y.state { out.append(.init(subject: k, change: "state \(x.state) → \(y.state)")) }
            if x.cpus != y.cpus { out.append(.init(subject: k, change: "CPUs \(x.cpus) → \(y.cpus)")) }
            if MemoryChunk.merged(x.memory) != MemoryChunk.merged(y.memory) {
                out.append(.init(subject: k, change: "memory \(memory(x.memory)) → \(memory(y.memory))"))
            }
            if let p = x.image, let q = y.image, p != q { out.append(.init(subject: k, change: "image \(p) → \(q)")) }
            if let p = x.args, let q = y.args, p != q { out.append(.init(subject: k, change: "args '\(p)' → '\(q)'")) }
        }
    }

    private static func pools(_ a: [EnclavePool], _ b: [EnclavePool], _ out: inout [SnapshotDifference]) {
        for driver in EnclaveDriverKind.allCases {
            let x = a.first { $0.driver == driver }, y = b.first { $0.driver == driver }
            let p = (x?.cpus ?? CPUSet(), MemoryChunk.merged(x?.memory ?? []))
            let q = (y?.cpus ?? CPUSet(), MemoryChunk.merged(y?.memory ?? []))
            guard p.0 != q.0 || p.1 != q.1 else { continue }
            out.append(.init(
                subject: "\(driver.rawValue) reserved pool",
                change: "CPUs \(show(p.0)), memory \(memory(p.1)) → CPUs \(show(q.0)), memory \(memory(q.1))"))
        }
    }

    private static func summary(_ e: EnclaveInstance) -> String { "CPUs \(show(e.cpus)), memory \(memory(e.memory))" }
    private static func show(_ s: CPUSet) -> String { s.isEmpty ? "none" : s.description }
    private static func show(_ n: Int?) -> String { n.map(String.init) ?? "unknown" }

    static func memory(_ chunks: [MemoryChunk]) -> String {
        let merged = MemoryChunk.merged(chunks)
        return merged.isEmpty ? "none" : merged.map { "\(ByteSize($0.bytes)) on node \($0.node)" }.joined(separator: ", ")
    }
}
