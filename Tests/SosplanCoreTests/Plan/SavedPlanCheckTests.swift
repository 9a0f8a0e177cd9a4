import SosplanTestSupport
import Testing
@testable import SosplanCore

/// Whether a plan saved with `plan -o` may still be applied to the host as
/// it is now.
@Suite struct SavedPlanCheckTests {
    /// Two nodes of 8 cores × 2 threads, 64Gi each (56Gi free).
    let host = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)

    func layout(enclaves: [EnclaveSpec] = [], hugepages: [HugepageRequest] = [], services: [ServiceSpec] = []) -> HostLayout {
        HostLayout(
            file: "t.yaml", metadata: LayoutMetadata(name: "t"), host: HostReservation(cpus: .count(CPURequest(count: 2))),
            hugepages: hugepages, enclaves: enclaves, services: services)
    }

    func lwk(_ name: String = "lwk0", gib: UInt64 = 8, node: Int = 1) -> EnclaveSpec {
        EnclaveSpec(
            name: name, driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 4, numa: [node])),
            memory: [MemoryRequest(size: .gib(gib), numa: node)])
    }

    /// A plan as `sosplan plan -o` writes it: with the snapshot it was made against.
    func saved(_ l: HostLayout, on snapshot: HostSnapshot, sourceLocation: SourceLocation = #_sourceLocation) throws -> Plan {
        let r = Planner(layout: l, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan()
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics)", sourceLocation: sourceLocation)
        var plan = try #require(r.plan, sourceLocation: sourceLocation)
        #expect(plan.snapshotFingerprint == snapshot.fingerprint, sourceLocation: sourceLocation)
        plan.priorSnapshot = snapshot
        return plan
    }

    func changed(_ s: HostSnapshot, _ edit: (inout HostSnapshot) -> Void) -> HostSnapshot {
        var copy = s
        edit(&copy)
        copy.refreshFingerprint()
        return copy
    }

    func reasons(_ verdict: SavedPlanCheck.Verdict, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        guard case .stale(let reasons) = verdict else {
            Issue.record("expected a stale verdict, got \(verdict)", sourceLocation: sourceLocation)
            return []
        }
        return reasons
    }

    // MARK: Fresh

    @Test func unchangedHostIsFresh() throws {
        let plan = try saved(layout(enclaves: [lwk()]), on: host)
        #expect(SavedPlanCheck.check(plan, against: host) == .fresh)
    }

    @Test func hostnameAndWarningsDoNotMakeAPlanStale() throws {
        let plan = try saved(layout(enclaves: [lwk()]), on: host)
        let now = changed(host) {
            $0.hostname = "cn042"
            $0.warnings = ["a probe degraded"]
        }
        #expect(SavedPlanCheck.check(plan, against: now) == .fresh)
    }

    @Test func freeMemoryMovingIsFreshWhileThePlanStillFits() throws {
        let plan = try saved(layout(enclaves: [lwk(gib: 8, node: 1)]), on: host)
        let now = changed(host) {
            $0.topology.nodes[1].freeBytes -= 40 << 30  // 16Gi left, 8Gi needed
            $0.topology.nodes[0].freeBytes = 0  // the plan takes nothing there
        }
        #expect(now.fingerprint != host.fingerprint)
        #expect(SavedPlanCheck.check(plan, against: now) == .freshWithMemoryMoved)
    }

    // MARK: Stale

    @Test func freeMemoryShortOfWhatTheEnclaveTakesIsStale() throws {
        let plan = try saved(layout(enclaves: [lwk(gib: 8, node: 1)]), on: host)
        let now = changed(host) { $0.topology.nodes[1].freeBytes = 4 << 30 }
        #expect(reasons(SavedPlanCheck.check(plan, against: now))
            == ["node 1: the plan takes 8Gi of memory there but only 4Gi is free now"])
        // Exactly enough is enough.
        let exact = changed(host) { $0.topology.nodes[1].freeBytes = 8 << 30 }
        #expect(SavedPlanCheck.check(plan, against: exact) == .freshWithMemoryMoved)
    }

    @Test func hugepageGrowthShortOfFreeMemoryIsStale() throws {
        // 1024 × 2Mi = 2Gi taken on node 0.
        let plan = try saved(layout(hugepages: [HugepageRequest(size: .mib(2), count: 1024, numa: 0)]), on: host)
        let step = try #require(plan.steps.first { $0.action == .hugepagesSet })
        #expect(step.target == .hugepages(HugepageTarget(sizeBytes: 2 << 20, node: 0)))
        #expect(SavedPlanCheck.memoryShortfalls(plan, host).isEmpty)
        let tight = changed(host) { $0.topology.nodes[0].freeBytes = 1 << 30 }
        #expect(reasons(SavedPlanCheck.check(plan, against: tight))
            == ["node 0: the plan takes 2Gi of memory there but only 1Gi is free now"])
        let enough = changed(host) { $0.topology.nodes[0].freeBytes = 3 << 30 }
        #expect(SavedPlanCheck.check(plan, against: enough) == .freshWithMemoryMoved)
    }

    @Test func memoryAnEnclaveGivesBackCountsAsFree() throws {
        // lwk0 (8Gi on node 1) exists; the new layout swaps it for lwk1 (8Gi on node 1).
        let first = Planner(layout: layout(enclaves: [lwk("lwk0")]), snapshot: host, capabilities: EnclaveCapabilities.known).plan()
        let withLWK0 = PlanSimulator(capabilities: EnclaveCapabilities.known).apply(try #require(first.plan), to: host)
        #expect(withLWK0.enclaves.map(\.name) == ["lwk0"])
        let plan = try saved(layout(enclaves: [lwk("lwk1")]), on: withLWK0)
        #expect(plan.steps.contains { $0.action == .enclaveDestroy })
        #expect(plan.steps.contains { $0.action == .enclaveCreate })
        let now = changed(withLWK0) { $0.topology.nodes[1].freeBytes = 1 << 30 }
        #expect(SavedPlanCheck.check(plan, against: now) == .freshWithMemoryMoved)
    }

    @Test func cpuGoingOfflineMakesThePlanStaleNamingIt() throws {
        let plan = try saved(layout(enclaves: [lwk()]), on: host)
        let now = changed(host) {
            let i = $0.topology.cpus.firstIndex { $0.id == 5 }!
            $0.topology.cpus[i].online = false
        }
        #expect(reasons(SavedPlanCheck.check(plan, against: now)) == ["CPU 5: went offline"])
    }

    @Test func severalChangesAreAllNamed() throws {
        let plan = try saved(layout(enclaves: [lwk()]), on: host)
        let now = changed(host) {
            let i = $0.topology.cpus.firstIndex { $0.id == 3 }!
            $0.topology.cpus[i].online = false
            $0.topology.nodes[0].hugepages[0].total = 16
            $0.enclaves = [EnclaveInstance(driver: .pisces, instance: "1", name: "other", state: "RUNNING", cpus: CPUSet([30, 31]), memory: [])]
            // Not a reason on its own.
            $0.topology.nodes[1].freeBytes -= 1 << 30
        }
        #expect(reasons(SavedPlanCheck.check(plan, against: now))
            == ["CPU 3: went offline", "node 0: 2Mi hugepages 0 → 16", "enclave:other: appeared (CPUs 30-31, memory none)"])
    }

    @Test func planWithoutItsSnapshotIsStaleWhenTheFingerprintDiffers() throws {
        var plan = try saved(layout(enclaves: [lwk()]), on: host)
        plan.priorSnapshot = nil
        #expect(SavedPlanCheck.check(plan, against: host) == .fresh, "the fingerprint alone says fresh")
        let now = changed(host) { $0.topology.nodes[1].freeBytes -= 1 << 30 }
        let r = reasons(SavedPlanCheck.check(plan, against: now))
        #expect(r.count == 1)
        let text = r.first ?? ""
        #expect(text.contains("the host changed since the plan was made"))
        #expect(text.contains(String(plan.snapshotFingerprint.dropFirst("sha256:".count).prefix(12))))
        #expect(text.contains(String(now.fingerprint.dropFirst("sha256:".count).prefix(12))))
        #expect(text.contains("plan -o FILE"))
    }

    @Test func savedPlanRoundTripsThroughJSONAndStaysFresh() throws {
        let plan = try saved(layout(enclaves: [lwk()]), on: host)
        let back = try Plan.decode(json: plan.jsonText())
        #expect(back.priorSnapshot == host)
        #expect(SavedPlanCheck.check(back, against: host) == .fresh)
        let now = changed(host) { $0.topology.nodes[1].freeBytes = 0 }
        #expect(reasons(SavedPlanCheck.check(back, against: now)) == ["node 1: the plan takes 8Gi of memory there but only 0 is free now"])
    }

    // MARK: Hugepage targets

    @Test(arguments: [
        ("hugepages:2Mi@node0", UInt64(2) << 20, 0), ("hugepages:1Gi@node3", 1 << 30, 3), ("hugepages:2097152@node12", 2 << 20, 12),
        ("hugepages:64Ki@node1", 64 << 10, 1),
    ])
    func hugepageTargetsParse(text: String, bytes: UInt64, node: Int) throws {
        let t = try #require(HugepageTarget(text))
        #expect(t.sizeBytes == bytes)
        #expect(t.node == node)
    }

    @Test(arguments: [
        "", "hugepages:", "hugepages:2Mi", "hugepages:2Mi@", "hugepages:2Mi@node", "hugepages:2Mi@nodex", "hugepages:2Mi@0",
        "hugepages:2Mi@node-1", "hugepages:@node0", "hugepages:2Xi@node0", "hugepages:two@node0", "hugepage:2Mi@node0",
        "enclave:lwk0", "2Mi@node0", "hugepages:2Mi@node0@node1", "hugepages:2Mi@numa0",
    ])
    func badHugepageTargetsAreRefused(text: String) {
        #expect(HugepageTarget(text) == nil)
    }

    @Test func plannedHugepageTargetsParseBack() throws {
        let plan = try saved(layout(hugepages: [
            HugepageRequest(size: .mib(2), count: 8, numa: 1), HugepageRequest(size: .gib(1), count: 2, numa: 0),
        ]), on: host)
        let targets = plan.steps.filter { $0.action == .hugepagesSet }.map(\.target.description)
        #expect(targets.count == 2)
        let parsed = Set(targets.compactMap(HugepageTarget.init))
        #expect(parsed == [HugepageTarget(sizeBytes: 2 << 20, node: 1), HugepageTarget(sizeBytes: 1 << 30, node: 0)])
        // And the plan's JSON reads back as the same typed targets.
        let decoded = try Plan.decode(json: plan.jsonText())
        #expect(decoded.steps.map(\.target) == plan.steps.map(\.target))
    }
}
