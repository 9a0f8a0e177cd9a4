import Testing
@testable import SosplanCore

/// Kernel uevent datagrams (lib/kobject_uevent.c's format) and the changes
/// an apply causes itself.
@Suite struct UeventTests {
    func datagram(_ fields: [String]) -> [UInt8] { fields.flatMap { Array($0.utf8) + [0] } }

    @Test func aCPUGoingOfflineAsTheKernelSendsIt() throws {
        let bytes = datagram([
            "offline@/devices/system/cpu/cpu1", "ACTION=offline", "DEVPATH=/devices/system/cpu/cpu1",
            "SUBSYSTEM=cpu", "SEQNUM=4711",
        ])
        let e = try #require(Uevent.parse(bytes))
        #expect(e.action == "offline" && e.subsystem == "cpu" && e.seqnum == 4711)
        #expect(e.hotplug == HotplugChange(device: .cpu(1), kind: .offline))
        #expect(Uevent.parse(e.kernelMessage) == e, "the simulators' datagrams read back the same")
    }

    @Test func aMemoryBlockComingOnline() throws {
        let e = try #require(Uevent.parse(datagram([
            "online@/devices/system/memory/memory366", "ACTION=online", "DEVPATH=/devices/system/memory/memory366",
            "SUBSYSTEM=memory", "SEQNUM=9",
        ])))
        #expect(e.hotplug == HotplugChange(device: .memoryBlock(366), kind: .online))
    }

    @Test(arguments: [
        ["libudev", "\u{1}\u{2}garbage"],  // udevd's re-broadcast
        ["no-at-sign", "ACTION=add"],
        ["add@relative/path", "ACTION=add"],
        [String](),
    ])
    func whatIsNotAKernelUeventIsIgnored(_ fields: [String]) {
        #expect(Uevent.parse(datagram(fields)) == nil)
    }

    @Test func otherDevicesAreNotHotplug() throws {
        let cache = try #require(Uevent.parse(datagram([
            "add@/devices/system/cpu/cpu1/cache/index0", "ACTION=add", "DEVPATH=/devices/system/cpu/cpu1/cache/index0",
            "SUBSYSTEM=cpu", "SEQNUM=1",
        ])))
        #expect(cache.hotplug == nil)
        let cpuid = try #require(Uevent.parse(datagram([
            "remove@/devices/virtual/cpuid/cpu3", "ACTION=remove", "DEVPATH=/devices/virtual/cpuid/cpu3",
            "SUBSYSTEM=cpuid", "SEQNUM=2",
        ])))
        #expect(cpuid.hotplug == nil)
    }

    func plan(_ steps: [Step]) -> Plan {
        Plan(
            layout: "t", placement: Placement(host: HostPlacement(cpus: CPUSet([0]), memoryNodes: CPUSet([0])), shared: SharedPlacement(cpus: CPUSet())),
            steps: steps, snapshotFingerprint: "x")
    }

    /// A step as the planner makes it: its effects say what it takes and gives.
    func step(_ action: StepAction, _ target: StepTarget, effects: StepEffects = StepEffects()) -> Step {
        Step(id: "s1", action: action, target: target, disruption: .live, effects: effects)
    }

    @Test func anEnclavesOwnCPUsAndABoundedNumberOfMemoryBlocksAreSelfCaused() throws {
        var effects = StepEffects()
        effects.acquiresCPUs = CPUSet([8, 9])
        effects.acquiresMemory = [MemoryChunk(node: 1, bytes: 256 << 20)]
        let plan = plan([step(.enclaveCreate, .enclave(.named("k")), effects: effects)])
        var expected = SelfCausedChanges(plan: plan, onlineBefore: CPUSet(0..<16), memoryBlockSize: 128 << 20)
        do { let consumed = expected.consume(HotplugChange(device: .cpu(8), kind: .offline)); #expect(consumed) }
        do { let consumed = expected.consume(HotplugChange(device: .cpu(8), kind: .offline)); #expect(!consumed, "each change once") }
        do { let consumed = expected.consume(HotplugChange(device: .cpu(3), kind: .offline)); #expect(!consumed, "another CPU is real") }
        do { let consumed = expected.consume(HotplugChange(device: .cpu(9), kind: .online)); #expect(!consumed, "the wrong direction is real") }
        // 256 MiB in 128 MiB blocks: 2 blocks, 3 when not aligned; a fourth change is the machine's.
        for _ in 0..<3 {
            let consumed = expected.consume(HotplugChange(device: .memoryBlock(400), kind: .offline))
            #expect(consumed)
        }
        do { let consumed = expected.consume(HotplugChange(device: .memoryBlock(401), kind: .offline)); #expect(!consumed) }
    }

    @Test func offliningACPUThatIsAlreadyOfflineSendsNothingToExpect() {
        var effects = StepEffects()
        effects.acquiresCPUs = CPUSet([2, 3])
        let plan = plan([step(.cpuOffline, .cpus(CPUSet([2, 3])), effects: effects)])
        let expected = SelfCausedChanges(plan: plan, onlineBefore: CPUSet([0, 1, 2]))
        #expect(expected.cpus == [HotplugChange(device: .cpu(2), kind: .offline)])
    }
}
