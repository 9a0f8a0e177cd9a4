import SosplanCore

/// Reads the topology and free resources from sysfs and procfs under a root:
/// `/` on the live machine, or a snapshot folder (`--root`).
///
/// It degrades like hwloc on old or partial sysfs instead of failing (no
/// `present`, no `online`, no `cpulist`, no node directories, package id
/// -1, offline CPUs without `topology/`) and says how in the warnings. With
/// a state directory it remembers the topology of online CPUs and restores
/// it for CPUs that are offline now. Output is ordered by id: the same
/// files always give the same observation.
public struct SysfsTopologyProbe: TopologyProbe {
    public var root: String
    /// Where the topology cache lives; nil to neither read nor write one.
    public var stateDirectory: StateDirectory?
    /// PCI localities forced by the operator (HWLOC_PCI_LOCALITY, as hwloc
    /// reads it); nil to take sysfs's.
    public var pciLocality: PCILocalityOverride? = PCILocalityOverride.fromEnvironment()

    public init(root: String = "/", stateDirectory: StateDirectory? = nil) {
        self.root = root
        self.stateDirectory = stateDirectory
    }

    public func probeTopology() throws -> TopologyObservation {
        let sys: SysfsReader
        do {
            sys = try SysfsReader(root: root)
        } catch {
            throw SysfsProbeError.unreadableRoot(root, "\(error)")
        }
        guard sys.isDirectory(Self.cpuBase) else { throw SysfsProbeError.noCPUDirectory(root) }
        var warnings = ProbeWarnings()
        var records = readCPUs(sys, &warnings)
        formPackages(sys, &records, &warnings)
        notePackagesWithoutID(records, &warnings)
        readLastLevelCaches(sys, &records, &warnings)
        var nodes = readNodes(sys, &records, &warnings)
        let dax = readDAXDevices(sys)
        let gpuNodes = readGPUMemoryNodes(sys)
        readMemoryKinds(dax, gpuNodes: gpuNodes, &nodes)
        readMemoryTiers(sys, dax, gpuNodes: gpuNodes, &nodes)
        let blockSize = readMemoryBlocks(sys, nodes: &nodes, &warnings)
        let machine = "present=\(CPUSet(records.map(\.id))) nodes=\(CPUSet(nodes.map(\.id)))"
        let cache = restoreFromTopologyCache(machine: machine, &records, &warnings)
        let cpus = Self.assemble(records)
        updateTopologyCache(cache, machine: machine, records: records, cpus: cpus, &warnings)
        let isolation = readIsolation(sys)
        var devices = readPCIDevices(sys, nodes: nodes, present: CPUSet(records.map(\.id)), &warnings)
        if devices != nil { readDeviceNames(sys, &devices!, &warnings) }
        let topology = Topology(
            cpus: cpus, nodes: nodes, memoryBlockSizeBytes: blockSize, isolatedCPUs: isolation.isolated,
            nohzFullCPUs: isolation.nohzFull, devices: devices)
        let restriction = readCpusetRestriction(sys)
        noteRestriction(restriction, topology: topology, &warnings)
        return TopologyObservation(
            topology: topology, hostname: sys.trimmed("proc/sys/kernel/hostname").flatMap { $0.isEmpty ? nil : $0 },
            warnings: warnings.messages, allowedCPUs: restriction?.cpus, allowedMemoryNodes: restriction?.memoryNodes)
    }

    /// Turns the records into `CPUInfo`s. Thread siblings and last-level
    /// caches become partitions: a sibling or cache-mate known only from the
    /// cache (offline now) joins the online CPU's group, and siblings whose
    /// package or core id differ are separate cores (AMD compute units list
    /// both cores of a unit as siblings; hwloc splits them the same way).
    static func assemble(_ records: [CPURecord]) -> [CPUInfo] {
        let ids = records.map(\.id)
        let present = CPUSet(ids)
        var index: [Int: Int] = [:]
        for (i, r) in records.enumerated() { index[r.id] = i }
        var cores = DisjointSets()
        var caches = DisjointSets()
        var withCache = CPUSet()
        for r in records {
            for sibling in (r.siblings ?? CPUSet()).intersection(present) where sibling != r.id {
                let other = records[index[sibling]!]
                if sameCore(r, other) { cores.union(CPUSet([r.id, sibling])) }
            }
            if let llc = r.lastLevelCache?.intersection(present) {
                caches.union(llc.union(CPUSet([r.id])))
                withCache.formUnion(llc)
                withCache.insert(r.id)
            }
        }
        let coreOf = cores.classes(of: ids)
        return records.map { r in
            let leader = cores.find(r.id)
            return CPUInfo(
                id: r.id, online: r.online, package: r.package, core: r.core, node: r.node,
                threadSiblings: coreOf[leader] ?? CPUSet([r.id]), l3: withCache.contains(r.id) ? caches.find(r.id) : nil,
                packageCPUs: r.packageCPUs)
        }
    }

    private static func sameCore(_ a: CPURecord, _ b: CPURecord) -> Bool {
        func agree(_ x: Int?, _ y: Int?) -> Bool { x == nil || y == nil || x == y }
        return agree(a.package, b.package) && agree(a.core, b.core)
    }

    private func noteRestriction(_ r: CpusetRestriction?, topology: Topology, _ warnings: inout ProbeWarnings) {
        guard let r else { return }
        let cpusRestricted = r.cpus.map { !topology.onlineCPUs.isSubset(of: $0) } ?? false
        let nodes = CPUSet(topology.nodes.map(\.id))
        let memsRestricted = r.memoryNodes.map { !nodes.isSubset(of: $0) } ?? false
        guard cpusRestricted || memsRestricted else { return }
        var parts: [String] = []
        if cpusRestricted, let cpus = r.cpus { parts.append("CPUs \(cpus.isEmpty ? "none" : "\(cpus)")") }
        if memsRestricted, let mems = r.memoryNodes { parts.append("memory nodes \(mems.isEmpty ? "none" : "\(mems)")") }
        warnings.add(
            "the observing process's cpuset cgroup '\(r.name)' allows only \(parts.joined(separator: " and ")); every present CPU and node is listed regardless"
        )
    }
}

/// Why the sysfs probe could not observe anything at all.
public enum SysfsProbeError: Error, CustomStringConvertible, Equatable {
    case unreadableRoot(String, String)
    case noCPUDirectory(String)

    public var description: String {
        switch self {
        case .unreadableRoot(let root, let reason):
            return "cannot read the root '\(root)': \(reason)"
        case .noCPUDirectory(let root):
            return "'\(root)' has no sys/devices/system/cpu: it is not a Linux root or a snapshot of one"
        }
    }
}
