import SosplanCore
import Testing

@Suite struct CPUOwnershipTests {
    /// Two packages of two SMT-2 cores; CPUs 4-7 are with enclave lwk0,
    /// CPU 3 is in McKernel's reserved pool, CPU 2 offline and unclaimed.
    static func snapshot() -> HostSnapshot {
        var cpus: [CPUInfo] = []
        for id in 0..<8 {
            let leader = id & ~1
            cpus.append(
                CPUInfo(
                    id: id, online: id < 2, package: id / 4, core: (id / 2) % 2, node: id / 4,
                    threadSiblings: CPUSet([leader, leader + 1]), l3: id < 4 ? 0 : 4,
                    owner: id >= 4 ? "enclave:lwk0" : id == 3 ? "mckernel:pool" : nil))
        }
        let nodes = [
            NUMANode(id: 0, cpus: CPUSet(0...3), memoryBytes: 8 << 30, freeBytes: 4 << 30),
            NUMANode(id: 1, cpus: CPUSet(4...7), memoryBytes: 8 << 30, freeBytes: 1 << 30),
        ]
        return HostSnapshot(
            topology: Topology(cpus: cpus, nodes: nodes),
            enclaves: [
                EnclaveInstance(
                    driver: .mckernel, instance: "0", name: "lwk0", state: "RUNNING", cpus: CPUSet(4...7),
                    memory: [MemoryChunk(node: 1, bytes: 6 << 30)])
            ],
            enclavePools: [EnclavePool(driver: .mckernel, cpus: CPUSet([3]), memory: [MemoryChunk(node: 0, bytes: 1 << 30)])])
    }

    @Test func observedOwners() {
        let o = CPUOwnership.observed(Self.snapshot())
        #expect(o.owner(of: 0) == .host && o.owner(of: 1) == .host)
        #expect(o.owner(of: 2) == .offline)
        #expect(o.owner(of: 3) == .pool(.mckernel))
        #expect((4...7).allSatisfy { o.owner(of: $0) == .enclave("lwk0") })
        #expect(o.cpusByOwner[.enclave("lwk0")] == CPUSet(4...7))
        #expect(o.ownersPresent == [.host, .enclave("lwk0"), .pool(.mckernel), .offline])
        #expect(o.memory == [
            MemoryHolding(node: 0, owner: .pool(.mckernel), bytes: 1 << 30),
            MemoryHolding(node: 1, owner: .enclave("lwk0"), bytes: 6 << 30),
        ])
    }

    @Test func onlineCPUsAreHostEvenWithAStaleOwner() {
        var s = Self.snapshot()
        s.topology.cpus[5].online = true
        #expect(CPUOwnership.observed(s).owner(of: 5) == .host)
    }

    @Test func ownerLabels() {
        #expect(Owner(ownerLabel: "enclave:lwk0") == .enclave("lwk0"))
        #expect(Owner(ownerLabel: "pisces:pool") == .pool(.pisces))
        #expect(Owner(ownerLabel: "mckernel:2") == .enclave("mckernel:2"))
        #expect(Owner(ownerLabel: "custom:pool") == .enclave("custom:pool"))
        #expect([Owner.offline, .pool(.mos), .enclave("b"), .enclave("a"), .service("z"), .shared, .host].sorted()
            == [.host, .shared, .service("z"), .enclave("a"), .enclave("b"), .pool(.mos), .offline])
        #expect(Owner.service("web").description == "service web" && Owner.pool(.pisces).kind == "pool")
    }

    @Test func coresAndCaches() {
        let t = Self.snapshot().topology
        #expect(t.cores.map(\.leader) == [0, 2, 4, 6])
        #expect(t.cores.map(\.threads) == [CPUSet([0, 1]), CPUSet([2, 3]), CPUSet([4, 5]), CPUSet([6, 7])])
        #expect(t.threadsPerCore == [2])
        #expect(t.lastLevelCaches == [0: CPUSet(0...3), 4: CPUSet(4...7)])
        #expect(t.packageIDs == [0, 1])
        #expect(t.cpusOfUnlistedNodes.isEmpty)
    }
}
