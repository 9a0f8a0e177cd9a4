import Foundation
import SosplanCore
import SosplanDrivers

/// A whole host for tests of the apply engine and the watcher, in memory
/// and a scratch directory: systemd in memory, sysfs files for CPU hotplug
/// and hugepages, a co-kernel in memory, observed the way a real host is
/// (`HostObserver`). Two sockets, 16 CPUs: node 0 = CPUs 0-3 and 8-11,
/// node 1 = 4-7 and 12-15; CPU 0 cannot go offline (as on x86).
public final class InMemoryHost {
    public let scratch: ScratchDirectory
    public let systemd = InMemorySystemd()
    public let enclaves = InMemoryEnclaves()
    public let base = SyntheticHost.snapshot(packages: 2, coresPerNode: 4, threadsPerCore: 2, memoryPerNode: 16 << 30)
    public let state: StateDirectory
    public let hotplug: LinuxHotplug
    public let hugepages: LinuxHugepages
    /// A kubelet's files under the scratch root, looked for when set.
    public var kubelet: KubeletFiles?

    /// Units the layouts of tests place (defined outside sosplan, running).
    public static let units = ["nginx.service", "slurmd.service", "munge.service"]

    public init() throws {
        scratch = try ScratchDirectory("host")
        state = StateDirectory(path: scratch.path("state").path)
        hotplug = LinuxHotplug(root: scratch.path("root").path)
        hugepages = LinuxHugepages(root: scratch.path("root").path)
        for name in Self.units { systemd.addVendorUnit(name) }
        let cpus = base.topology.cpus.map(\.id)
        try ScratchDirectory.write(CPUSet(cpus).description + "\n", to: "sys/devices/system/cpu/present", in: root)
        for cpu in cpus where cpu != 0 {
            try ScratchDirectory.write("1\n", to: "sys/devices/system/cpu/cpu\(cpu)/online", in: root)
        }
        for node in base.topology.nodes {
            try ScratchDirectory.write(
                "0\n", to: "sys/devices/system/node/node\(node.id)/hugepages/hugepages-2048kB/nr_hugepages", in: root)
        }
    }

    public func remove() { scratch.remove() }

    /// The root of the scratch sysfs.
    public var root: URL { scratch.path("root") }

    /// The host as sosplan observes it, with `units` read from systemd too.
    /// The kernel's IRQs, cpuidle and cpufreq are read from the scratch root
    /// by the real probe once a test made them (`makeKernelFiles`).
    public func observe(_ units: [String]) throws -> HostSnapshot {
        let probe = ScratchTopology(base: base, hotplug: hotplug, hugepages: hugepages)
        var observer = HostObserver(topology: probe, systemd: systemd, enclaves: [enclaves], unitNames: units)
        observer.kubelet = kubelet.map { KubeletProbe(files: $0) }
        let systemd = systemd
        observer.kernel = LinuxKernelProbe(root: root.path, stateDirectory: state, irqbalanceBan: { (try? systemd.irqbalanceBan()) ?? nil })
        return try observer.observe()
    }

    /// The host with the units tests place.
    public func snapshot() throws -> HostSnapshot { try observe(Self.units) }

    /// Takes CPUs offline behind sosplan's back (hotplug).
    public func takeOffline(_ cpus: CPUSet) throws {
        for cpu in cpus { try hotplug.setCPU(cpu, online: false) }
    }
}

/// The synthetic topology with what the scratch sysfs says now: which CPUs
/// are online, and the hugepage pools.
struct ScratchTopology: TopologyProbe {
    var base: HostSnapshot
    var hotplug: LinuxHotplug
    var hugepages: LinuxHugepages

    func probeTopology() throws -> TopologyObservation {
        var topology = base.topology
        for i in topology.cpus.indices { topology.cpus[i].online = hotplug.isCPUOnline(topology.cpus[i].id) }
        for n in topology.nodes.indices {
            for p in topology.nodes[n].hugepages.indices {
                let pool = topology.nodes[n].hugepages[p]
                let count = hugepages.count(node: topology.nodes[n].id, sizeBytes: pool.sizeBytes) ?? pool.total
                topology.nodes[n].hugepages[p].total = count
                topology.nodes[n].hugepages[p].free = count
            }
        }
        return TopologyObservation(topology: topology, hostname: base.hostname)
    }
}
