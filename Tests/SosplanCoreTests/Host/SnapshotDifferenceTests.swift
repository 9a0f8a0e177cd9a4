import Foundation
import SosplanTestSupport
import Testing
@testable import SosplanCore

/// What `SnapshotDifference.between` reports, and what it leaves out.
@Suite struct SnapshotDifferenceTests {
    /// Two nodes of 4 cores × 2 threads (CPUs 0-15; node 0 has 0-3 and 8-11),
    /// with a managed slice, a service in it, and a running enclave.
    static func base() -> HostSnapshot {
        var s = SyntheticHost.snapshot(packages: 2, coresPerNode: 4, threadsPerCore: 2, memoryPerNode: 16 << 30)
        var slice = SystemdUnit(name: "sosplan-web.slice", managed: true)
        slice.loadState = "loaded"
        slice.activeState = "active"
        slice.allowedCPUs = CPUSet(4...7)
        slice.cpuWeight = 200
        var web = SystemdUnit(name: "nginx.service")
        web.loadState = "loaded"
        web.activeState = "active"
        web.slice = "sosplan-web.slice"
        web.controlGroup = "/sosplan.slice/sosplan-web.slice/nginx.service"
        web.effectiveCPUs = CPUSet(4...7)
        s.systemd = SystemdState(units: [slice, web])
        s.enclaves = [EnclaveInstance(
            driver: .mckernel, instance: "0", name: "lwk0", state: "RUNNING", cpus: CPUSet([6, 7, 14, 15]),
            memory: [MemoryChunk(node: 1, bytes: 1 << 30)])]
        for i in s.topology.cpus.indices where [6, 7, 14, 15].contains(s.topology.cpus[i].id) {
            s.topology.cpus[i].online = false
            s.topology.cpus[i].owner = "enclave:lwk0"
        }
        s.refreshFingerprint()
        return s
    }

    func differences(_ change: (inout HostSnapshot) -> Void) -> [SnapshotDifference] {
        let old = Self.base()
        var new = old
        change(&new)
        new.refreshFingerprint()
        return SnapshotDifference.between(old, new)
    }

    func descriptions(_ change: (inout HostSnapshot) -> Void) -> [String] { differences(change).map(\.description) }

    func cpu(_ id: Int, in s: inout HostSnapshot, _ edit: (inout CPUInfo) -> Void) {
        let i = s.topology.cpus.firstIndex { $0.id == id }!
        edit(&s.topology.cpus[i])
    }

    func unit(_ name: String, in s: inout HostSnapshot, _ edit: (inout SystemdUnit) -> Void) {
        var units = s.systemd!.units
        let i = units.firstIndex { $0.name == name }!
        edit(&units[i])
        s.systemd = SystemdState(units: units)
    }

    // MARK: Nothing differs

    @Test func equalSnapshotsHaveNoDifferences() {
        let s = Self.base()
        #expect(SnapshotDifference.between(s, s).isEmpty)
        #expect(descriptions { _ in }.isEmpty)
    }

    @Test func fixtureSnapshotsEqualThemselves() throws {
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/16em64t-4s2c2t-offlines.json")
        let s = try HostSnapshot.decode(json: try String(contentsOf: url, encoding: .utf8))
        #expect(SnapshotDifference.between(s, s).isEmpty)
        #expect(SnapshotDifference.between(s, try HostSnapshot.decode(json: s.jsonText())).isEmpty)
    }

    @Test func freeMemoryIsIgnored() {
        let d = descriptions { s in
            s.topology.nodes[0].freeBytes = 1 << 20
            s.topology.nodes[1].freeBytes -= 3 << 30
            s.topology.nodes[0].hugepages[0].free = 7
        }
        #expect(d.isEmpty, "\(d)")
    }

    @Test func derivedUnitValuesAndTheHostnameAreIgnored() {
        let d = descriptions { s in
            s.hostname = "renamed"
            s.warnings = ["something degraded"]
            unit("nginx.service", in: &s) {
                $0.controlGroup = "/elsewhere"
                $0.effectiveCPUs = CPUSet([0])
            }
        }
        #expect(d.isEmpty, "\(d)")
    }

    // MARK: CPUs

    @Test func cpuGoingOfflineIsNamed() {
        let d = differences { s in cpu(3, in: &s) { $0.online = false } }
        #expect(d == [SnapshotDifference(subject: "CPU 3", change: "went offline")])
        #expect(d[0].description == "CPU 3: went offline")
    }

    @Test func cpuGoingOfflineNamesItsNewHolder() {
        let d = descriptions { s in
            cpu(2, in: &s) {
                $0.online = false
                $0.owner = "enclave:lwk1"
            }
        }
        #expect(d == ["CPU 2: went offline (held by enclave:lwk1)"])
    }

    @Test func cpuComingOnlineIsNamed() {
        let d = descriptions { s in
            cpu(14, in: &s) {
                $0.online = true
                $0.owner = nil
            }
        }
        #expect(d == ["CPU 14: came online"])
    }

    @Test func ownerChangeOfAnOfflineCPUIsNamed() {
        let d = descriptions { s in cpu(15, in: &s) { $0.owner = nil } }
        #expect(d == ["CPU 15: owner enclave:lwk0 → none"])
    }

    @Test func cpuDisappearingOrAppearingIsNamed() {
        let gone = descriptions { s in s.topology.cpus.removeAll { $0.id == 5 } }
        #expect(gone.count == 1)
        #expect(gone.first?.hasPrefix("CPU 5: is gone") == true)
        let appeared = descriptions { s in s.topology.cpus.append(CPUInfo(id: 16, node: 1)) }
        #expect(appeared == ["CPU 16: appeared"])
    }

    @Test func cpuMovingNodeIsNamed() {
        let d = descriptions { s in cpu(1, in: &s) { $0.node = 1 } }
        #expect(d == ["CPU 1: NUMA node 0 → 1"])
        let unknown = descriptions { s in cpu(1, in: &s) { $0.node = nil } }
        #expect(unknown == ["CPU 1: NUMA node 0 → unknown"])
    }

    // MARK: Nodes

    @Test func hugepageTotalsAreCompared() {
        let d = descriptions { s in
            s.topology.nodes[1].hugepages[0].total = 512
            s.topology.nodes[1].hugepages[0].free = 512
        }
        #expect(d == ["node 1: 2Mi hugepages 0 → 512"])
        // A pool size the old snapshot did not list counts as 0 there.
        let newSize = descriptions { s in s.topology.nodes[0].hugepages.append(HugepagePool(sizeBytes: 16 << 20, total: 4, free: 4)) }
        #expect(newSize == ["node 0: 16Mi hugepages 0 → 4"])
        let emptyNewSize = descriptions { s in s.topology.nodes[0].hugepages.append(HugepagePool(sizeBytes: 16 << 20, total: 0, free: 0)) }
        #expect(emptyNewSize.isEmpty)
    }

    @Test func nodeMemoryAndPresenceAreCompared() {
        #expect(descriptions { s in s.topology.nodes[0].memoryBytes = 8 << 30 } == ["node 0: memory 16Gi → 8Gi"])
        #expect(descriptions { s in s.topology.nodes.removeLast() } == ["node 1: is gone"])
    }

    @Test func memoryBlocksGoingOfflineOrOnlineAreNamed() {
        let old = { () -> HostSnapshot in
            var s = Self.base()
            s.topology.nodes[0].memoryBlocks = MemoryBlocks(online: IDSet(0...7), offline: IDSet([8, 9]))
            s.refreshFingerprint()
            return s
        }()
        var new = old
        new.topology.nodes[0].memoryBlocks = MemoryBlocks(online: IDSet([0, 1, 2, 3, 4, 5, 8, 9]), offline: IDSet([6, 7]))
        let d = SnapshotDifference.between(old, new).map(\.description)
        #expect(d == ["node 0: memory blocks 6-7 went offline", "node 0: memory blocks 8-9 came online"])
    }

    // MARK: Units

    @Test func sliceAllowedCPUsMovingIsNamed() {
        let d = differences { s in unit("sosplan-web.slice", in: &s) { $0.allowedCPUs = CPUSet([4, 5]) } }
        #expect(d == [SnapshotDifference(subject: "sosplan-web.slice", change: "AllowedCPUs 4-7 → 4-5")])
        #expect(d.first?.description == "sosplan-web.slice: AllowedCPUs 4-7 → 4-5")
    }

    @Test func unitFieldChangesAreEachNamed() {
        let d = descriptions { s in
            unit("nginx.service", in: &s) {
                $0.activeState = "failed"
                $0.slice = "system.slice"
                $0.memoryMax = 1 << 30
            }
            unit("sosplan-web.slice", in: &s) { $0.cpuWeight = nil }
        }
        #expect(d.contains("nginx.service: ActiveState active → failed"))
        #expect(d.contains("nginx.service: Slice sosplan-web.slice → system.slice"))
        #expect(d.contains("nginx.service: MemoryMax infinity → 1073741824"))
        #expect(d.contains("sosplan-web.slice: CPUWeight 200 → (unset)"))
        #expect(d.count == 4, "\(d)")
    }

    @Test func unsetAndZeroMemoryProtectionAreTheSame() {
        #expect(descriptions { s in unit("nginx.service", in: &s) { $0.memoryLow = 0; $0.memoryMin = 0 } }.isEmpty)
        #expect(descriptions { s in unit("nginx.service", in: &s) { $0.memoryLow = 1 << 20 } } == ["nginx.service: MemoryLow 0 → 1048576"])
    }

    @Test func emptyAndUnsetAllowedCPUsAreTheSame() {
        #expect(descriptions { s in unit("nginx.service", in: &s) { $0.allowedCPUs = CPUSet() } }.isEmpty)
    }

    @Test func unitAppearingAndDisappearingIsNamed() {
        var db = SystemdUnit(name: "postgres.service")
        db.loadState = "loaded"
        db.activeState = "active"
        #expect(descriptions { s in s.systemd = SystemdState(units: s.systemd!.units + [db]) } == ["postgres.service: appeared"])
        #expect(descriptions { s in s.systemd = SystemdState(units: s.systemd!.units.filter { $0.name != "nginx.service" }) }
            == ["nginx.service: is gone"])
        // A managed slice is not bare: its going is a difference.
        #expect(descriptions { s in s.systemd = SystemdState(units: s.systemd!.units.filter { $0.name != "sosplan-web.slice" }) }
            == ["sosplan-web.slice: is gone"])
        // Not observed at all after: every unit is gone.
        #expect(descriptions { s in s.systemd = nil } == ["nginx.service: is gone", "sosplan-web.slice: is gone"])
    }

    @Test func notFoundUnitEqualsAbsentUnit() {
        var ghost = SystemdUnit(name: "batch.service")
        ghost.loadState = "not-found"
        ghost.activeState = "inactive"
        #expect(descriptions { s in s.systemd = SystemdState(units: s.systemd!.units + [ghost]) }.isEmpty)
        // And the other way round: a unit whose file was removed.
        #expect(descriptions { s in unit("nginx.service", in: &s) { $0.loadState = "not-found" } } == ["nginx.service: is gone"])
    }

    @Test func bareParentSliceEqualsAbsentSlice() {
        var parent = SystemdUnit(name: "sosplan-io.slice")
        parent.loadState = "loaded"
        parent.activeState = "active"
        parent.controlGroup = "/sosplan.slice/sosplan-io.slice"
        #expect(SnapshotDifference.isBareSlice(parent))
        #expect(descriptions { s in s.systemd = SystemdState(units: s.systemd!.units + [parent]) }.isEmpty)

        // One with settings of its own is not bare.
        var configured = parent
        configured.memoryMax = 1 << 30
        #expect(!SnapshotDifference.isBareSlice(configured))
        #expect(descriptions { s in s.systemd = SystemdState(units: s.systemd!.units + [configured]) } == ["sosplan-io.slice: appeared"])

        var managed = parent
        managed.managed = true
        #expect(!SnapshotDifference.isBareSlice(managed))
        // A service with no settings is never a bare slice.
        #expect(!SnapshotDifference.isBareSlice(SystemdUnit(name: "sosplan-io.service")))
    }

    // MARK: Enclaves and pools

    @Test func enclaveAppearingIsNamedWithWhatItHolds() {
        let d = descriptions { s in
            s.enclaves.append(EnclaveInstance(
                driver: .pisces, instance: "1", name: "lwk1", state: "RUNNING", cpus: CPUSet([2, 3]),
                memory: [MemoryChunk(node: 0, bytes: 1 << 30), MemoryChunk(node: 0, bytes: 1 << 30)]))
        }
        #expect(d == ["enclave:lwk1: appeared (CPUs 2-3, memory 2Gi on node 0)"])
    }

    @Test func unnamedEnclaveIsKeyedByDriverAndHandle() {
        let d = descriptions { s in
            s.enclaves.append(EnclaveInstance(driver: .mckernel, instance: "3", state: "INACTIVE", cpus: CPUSet(), memory: []))
        }
        #expect(d == ["mckernel:3: appeared (CPUs none, memory none)"])
    }

    @Test func enclaveGoingIsNamedWithWhatItHeld() {
        #expect(descriptions { s in s.enclaves = [] } == ["enclave:lwk0: is gone (it held CPUs 6-7,14-15, memory 1Gi on node 1)"])
    }

    @Test func enclaveChangingCPUsIsNamed() {
        let d = differences { s in s.enclaves[0].cpus = CPUSet([6, 14]) }
        #expect(d == [SnapshotDifference(subject: "enclave:lwk0", change: "CPUs 6-7,14-15 → 6,14")])
    }

    @Test func enclaveStateMemoryImageAndArgsAreCompared() {
        let d = descriptions { s in
            s.enclaves[0].state = "INACTIVE"
            s.enclaves[0].memory = [MemoryChunk(node: 1, bytes: 2 << 30)]
        }
        #expect(d == ["enclave:lwk0: state RUNNING → INACTIVE", "enclave:lwk0: memory 1Gi on node 1 → 2Gi on node 1"])
        // Memory split differently but the same per node is the same.
        #expect(descriptions { s in s.enclaves[0].memory = [MemoryChunk(node: 1, bytes: 512 << 20), MemoryChunk(node: 1, bytes: 512 << 20)] }.isEmpty)
        // Image and args are compared only when both sides could read them back.
        #expect(descriptions { s in s.enclaves[0].image = "/opt/lwk.img" }.isEmpty)
        let before = { () -> HostSnapshot in
            var s = Self.base()
            s.enclaves[0].args = "hidos"
            return s
        }()
        var after = before
        after.enclaves[0].args = "hidos ksyslogd=0"
        #expect(SnapshotDifference.between(before, after).map(\.description) == ["enclave:lwk0: args 'hidos' → 'hidos ksyslogd=0'"])
    }

    @Test func reservedPoolChangesAreNamed() {
        let d = descriptions { s in
            s.enclavePools = [EnclavePool(driver: .mckernel, cpus: CPUSet([12, 13]), memory: [MemoryChunk(node: 1, bytes: 1 << 30)])]
        }
        #expect(d == ["mckernel reserved pool: CPUs none, memory none → CPUs 12-13, memory 1Gi on node 1"])
        #expect(descriptions { s in s.enclavePools = [EnclavePool(driver: .mos, cpus: CPUSet(), memory: [])] }.isEmpty)
    }

    // MARK: Order

    @Test func differencesComeInAStableOrder() {
        let d = differences { s in
            s.enclaves[0].cpus = CPUSet([6, 7])
            unit("sosplan-web.slice", in: &s) { $0.allowedCPUs = CPUSet([4]) }
            s.topology.nodes[0].hugepages[1].total = 2
            cpu(9, in: &s) { $0.online = false }
            cpu(1, in: &s) { $0.online = false }
        }
        #expect(d.map(\.subject) == ["CPU 1", "CPU 9", "node 0", "sosplan-web.slice", "enclave:lwk0"])
        #expect(d[2].change == "1Gi hugepages 0 → 2")
    }
}
