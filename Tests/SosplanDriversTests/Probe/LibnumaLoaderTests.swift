import CNuma
import SosplanCore
import Testing

@testable import SosplanDrivers

/// CNuma opens libnuma.so.1 on first use; a host without it gets a warning
/// that names the library and its package, not a failure at exec.
@Suite struct LibnumaLoaderTests {
    @Test func theInstalledLibraryHasEveryFunctionSosplanCalls() {
        #expect(sosplan_numa_probe_library("libnuma.so.1") == nil)
        // The system library loads through the same path (first use here).
        #expect(NumaLibrary.system.loadError() == nil)
        #expect(NumaLibrary.system.available() >= 0)
    }

    @Test func aMissingLibraryIsNamedWithItsPackage() throws {
        let text = String(cString: try #require(sosplan_numa_probe_library("libnuma-not-here.so.1")))
        #expect(text.hasPrefix("libnuma-not-here.so.1 could not be loaded ("), "\(text)")
        #expect(text.contains("libnuma1"), "\(text)")
    }

    @Test func aLibraryWithoutTheFunctionsIsRefused() throws {
        // libc loads but has no numa_available.
        let why = try #require(sosplan_numa_probe_library("libc.so.6"))
        #expect(String(cString: why) == "libc.so.6 has no numa_available (libnuma too old?)")
    }

    /// What the live probe does when the library cannot be opened: nothing
    /// of it is called, sysfs is used, and the warning says why.
    @Test func anUnloadableLibraryIsAWarningNotACall() {
        let why = "libnuma.so.1 could not be loaded (libnuma.so.1: cannot open shared object file); the NUMA library is package libnuma1"
        let library = NumaLibrary(
            available: { Issue.record("numa_available called without the library"); return 0 },
            maxNode: { Issue.record("numa_max_node called without the library"); return 0 },
            nodeSize: { _ in Issue.record("numa_node_size64 called without the library"); return nil },
            nodeCPUs: { _ in Issue.record("numa_node_to_cpus called without the library"); return nil },
            distance: { _, _ in Issue.record("numa_distance called without the library"); return 0 },
            loadError: { why })
        let probe = NumaTopologyProbe(library: library)
        #expect(probe.probeNodes() == .unloadable(why))
        #expect(throws: NumaProbeError.unloadable(why)) { try probe.probeTopology() }
        let topology = Topology(cpus: [CPUInfo(id: 0, node: 0)], nodes: [NUMANode(id: 0, cpus: CPUSet([0]), memoryBytes: 1 << 30, freeBytes: 1 << 29)])
        #expect(LiveTopologyProbe.crossCheck(topology, probe.probeNodes()) == [
            "\(why); NUMA nodes read from sysfs only (not cross-checked)"
        ])
    }
}
