import SosplanCore
import Testing

@Suite struct EnclaveCapabilitiesTests {
    @Test func eachDriverDeclaresWhatItCanChangeLive() {
        let ihk = EnclaveDriverKind.mckernel.capabilities
        #expect(!ihk.growCPUsWhileRunning && !ihk.shrinkCPUsWhileRunning && !ihk.growMemoryWhileRunning && !ihk.shrinkMemoryWhileRunning)
        #expect(ihk.offlinesCPUsItself && ihk.onlinesCPUsOnRelease)
        #expect(ihk.memoryGranularity == 4 << 20 && ihk.maximumInstances == 1 && ihk.forbiddenCPUs == CPUSet([0]))
        let pisces = EnclaveDriverKind.pisces.capabilities
        // No Pisces tool removes a CPU since 2015; the tools offline what they add and pisces_shutdown onlines.
        #expect(pisces.growCPUsWhileRunning && !pisces.shrinkCPUsWhileRunning && pisces.growMemoryWhileRunning)
        #expect(!pisces.shrinkMemoryWhileRunning && pisces.offlinesCPUsItself && pisces.onlinesCPUsOnRelease)
        #expect(pisces.maximumInstances == 128)
        let mos = EnclaveDriverKind.mos.capabilities
        #expect(!mos.growCPUsWhileRunning && !mos.shrinkMemoryWhileRunning && mos.offlinesCPUsItself && mos.onlinesCPUsOnRelease)
        #expect(mos.memoryGranularity == 128 << 20 && mos.maximumInstances == 1)
    }

    @Test func requestsMergeMemoryPerNode() {
        let r = EnclaveRequest(
            name: "x", cpus: CPUSet([2]),
            memory: [MemoryChunk(node: 1, bytes: 1), MemoryChunk(node: 0, bytes: 2), MemoryChunk(node: 1, bytes: 3), MemoryChunk(node: 2, bytes: 0)])
        #expect(r.memoryByNode == [MemoryChunk(node: 0, bytes: 2), MemoryChunk(node: 1, bytes: 4)])
        #expect(r.totalMemory == 6)
    }

    @Test func namesAreDNSLabels() {
        for ok in ["a", "lwk0", "my-enclave"] { #expect(throws: Never.self) { try EnclaveText.checkName(ok) } }
        for bad in ["", "-a", "a-", "Lwk", "a_b", String(repeating: "a", count: 64)] {
            #expect(throws: EnclaveTextError.self) { try EnclaveText.checkName(bad) }
        }
    }
}
