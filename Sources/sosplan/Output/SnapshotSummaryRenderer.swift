import SosplanCore

/// The human summary `sosplan observe` prints: what an operator checks
/// before writing a layout (packages, cores and SMT, caches, NUMA nodes with
/// memory and hugepages, isolated and offline CPUs), then how the probes
/// degraded. Deterministic: no paths, times or colours.
enum SnapshotSummaryRenderer {
    static func render(_ snapshot: HostSnapshot) -> String {
        let t = snapshot.topology
        var out = Lines()
        out.row("host", snapshot.hostname ?? "(hostname unknown)")
        out.row("CPUs", cpuLine(t))
        out.row("packages", packageLine(t))
        out.row("cores", coreLine(t))
        out.row("caches", cacheLine(t))
        out.row("NUMA nodes", "\(t.nodes.count)")
        for node in t.nodes { nodeRows(node, blockSize: t.memoryBlockSizeBytes, &out) }
        if !t.cpusOfUnlistedNodes.isEmpty {
            let ids = Set(t.cpus.filter { t.cpusOfUnlistedNodes.contains($0.id) }.compactMap(\.node)).sorted()
            let nodes = ids.count == 1 ? "node \(ids[0])" : "nodes \(CPUSet(ids))"
            out.row("", "CPUs \(t.cpusOfUnlistedNodes) are on \(nodes), which sysfs does not list (no memory known)")
        }
        deviceRows(t, &out)
        out.row("isolated", t.isolatedCPUs.isEmpty ? "none" : "\(t.isolatedCPUs)")
        out.row("nohz_full", t.nohzFullCPUs.isEmpty ? "none" : "\(t.nohzFullCPUs)")
        for (label, text) in IsolationText.observeRows(snapshot) { out.row(label, text) }
        offlineRows(snapshot, &out)
        containerRows(snapshot, &out)
        if snapshot.warnings.isEmpty {
            out.row("warnings", "none")
        } else {
            out.row("warnings", "\(snapshot.warnings.count)")
            for w in snapshot.warnings { out.row("", "- \(w)") }
        }
        return out.text
    }

    private static func cpuLine(_ t: Topology) -> String {
        var parts = ["\(t.cpus.count) present", "\(t.onlineCPUs.count) online (\(t.onlineCPUs))"]
        if !t.offlineCPUs.isEmpty { parts.append("\(t.offlineCPUs.count) offline (\(t.offlineCPUs))") }
        return parts.joined(separator: " · ")
    }

    private static func packageLine(_ t: Topology) -> String {
        let ids = t.packageIDs
        var text = ids.isEmpty ? "unknown" : "\(ids.count) (\(CPUSet(ids)))"
        let unknown = CPUSet(t.cpus.filter { $0.package == nil }.map(\.id))
        if !ids.isEmpty && !unknown.isEmpty { text += " · package unknown for CPUs \(unknown)" }
        return text
    }

    private static func coreLine(_ t: Topology) -> String {
        let cores = t.cores
        let known = cores.filter { $0.coreID != nil || $0.threads.count > 1 }
        guard !known.isEmpty else { return "unknown (sysfs gives no core ids or thread siblings)" }
        let counts = Set(known.map(\.threads.count)).sorted()
        let perCore = counts.count == 1 ? "\(counts[0])" : "\(counts.first!)-\(counts.last!)"
        var text = "\(known.count) · \(perCore) thread\(counts == [1] ? "" : "s") per core"
        let unknown = CPUSet(cores.filter { $0.coreID == nil && $0.threads.count == 1 }.flatMap { Array($0.threads) })
        if !unknown.isEmpty { text += " · core unknown for CPUs \(unknown)" }
        return text
    }

    private static func cacheLine(_ t: Topology) -> String {
        let groups = t.lastLevelCaches.sorted { $0.key < $1.key }.map(\.value)
        guard !groups.isEmpty else { return "unknown" }
        let sizes = Set(groups.map(\.count)).sorted()
        let size = sizes.count == 1 ? "\(sizes[0])" : "\(sizes.first!)-\(sizes.last!)"
        var text = "\(groups.count) last-level cache\(groups.count == 1 ? "" : "s") of \(size) CPU\(sizes == [1] ? "" : "s")"
        if groups.count > 1 && groups.count <= 8 { text += ": " + groups.map(\.description).joined(separator: " · ") }
        return text
    }

    private static func nodeRows(_ node: NUMANode, blockSize: UInt64?, _ out: inout Lines) {
        var line = "CPUs \(node.cpus.isEmpty ? "none" : "\(node.cpus)")"
        line += node.memoryBytes == 0
            ? " · memory unknown"
            : " · \(ByteSize(node.memoryBytes).humanReadable), \(ByteSize(node.freeBytes).humanReadable) free"
        line += tierText(node)
        if !node.distances.isEmpty { line += " · distances \(node.distances.map(String.init).joined(separator: " "))" }
        out.row("  node \(node.id)", line)
        if !node.hugepages.isEmpty {
            let pools = node.hugepages.map { "\(ByteSize($0.sizeBytes).humanReadable): \($0.free) of \($0.total) free" }
            out.row("", "hugepages " + pools.joined(separator: " · "))
        }
        if let blocks = node.memoryBlocks {
            let size = blockSize.map { " of \(ByteSize($0).humanReadable)" } ?? ""
            out.row("", "memory blocks\(size): \(blocks.online.count) online, \(blocks.offline.count) offline")
        }
    }

    /// Container services' containers, as podman reports them (none: no row).
    private static func containerRows(_ snapshot: HostSnapshot, _ out: inout Lines) {
        var label = "containers"
        for unit in snapshot.systemd?.units ?? [] {
            guard let c = unit.container else { continue }
            var facts: [String] = []
            if let cpus = c.cpusetCpus { facts.append("CPUs \(cpus.isEmpty ? "all" : cpus.description)") }
            if let mems = c.cpusetMems, !mems.isEmpty { facts.append("memory nodes \(mems)") }
            if let id = c.id { facts.append("id \(id.prefix(12))") }
            let image = c.image.map { " \($0)" } ?? ""
            out.row(label, "\(c.name) \(c.state)\(image)" + (facts.isEmpty ? "" : " (\(facts.joined(separator: ", ")))"))
            label = ""
        }
    }

    private static func offlineRows(_ snapshot: HostSnapshot, _ out: inout Lines) {
        let offline = snapshot.topology.cpus.filter { !$0.online }
        guard !offline.isEmpty else { return }
        var byOwner: [String: CPUSet] = [:]
        for cpu in offline { byOwner[cpu.owner ?? "", default: CPUSet()].insert(cpu.id) }
        var label = "offline"
        for (owner, cpus) in byOwner.sorted(by: { $0.key < $1.key }) {
            out.row(label, "\(cpus) " + (owner.isEmpty ? "held by nobody" : "held by \(Owner(ownerLabel: owner))"))
            label = ""
        }
    }
}

/// Two-column text: a label padded to a fixed width, then the value.
struct Lines {
    private(set) var text = ""
    static let labelWidth = 12

    mutating func row(_ label: String, _ value: String) {
        let pad = max(1, Lines.labelWidth - label.count)
        // One row is one line: a value from the host (a name, a warning) is escaped whole.
        text += label + String(repeating: " ", count: pad) + ControlCharacters.escaped(value) + "\n"
    }
}
