import Foundation
import SosplanCore
import Testing

@testable import SosplanDrivers

/// Kitten/Pisces against the simulated Pisces tools and /proc/pisces. The
/// synthetic host: 8 CPUs on 2 nodes (0-3, 4-7), 4 GiB per node in 128 MiB
/// blocks (0-31 on node 0, 32-63 on node 1; the first of each is not removable).
@Suite struct PiscesDriverTests {
    func request(_ host: SimHost, name: String = "kitten", cpus: CPUSet = CPUSet(4...5), memory: [MemoryChunk] = [mib(256, node: 1)])
        throws -> EnclaveRequest
    {
        EnclaveRequest(name: name, cpus: cpus, memory: memory, image: try host.kittenImage())
    }

    @Test func createsGrowsAndTearsDown() throws {
        let host = try SimHost()
        let driver = host.pisces
        let created = try driver.create(try request(host))
        #expect(created.name == "kitten")
        #expect(created.state == "RUNNING")
        #expect(created.cpus == CPUSet(4...5))
        #expect(created.memory == [mib(256, node: 1)])
        #expect(created.cpuOrder == [4, 5])
        // Booted with -c and -n, never -b (a block past 2 GiB would wrap, research §7.1).
        #expect(host.calls("pisces_launch").first == ["pisces_launch", "-c", "4", "-n", "1", "-m", "1", "/dev/pisces-enclave0"])
        try host.expectAccounted()

        let grown = try driver.grow("kitten", cpus: CPUSet(6...7), memory: [mib(128, node: 1), mib(128, node: 0)])
        #expect(grown.cpus == CPUSet(4...7))
        #expect(grown.memory == [mib(128, node: 0), mib(384, node: 1)])
        #expect(grown.cpuOrder == [4, 5, 6, 7])
        try host.expectAccounted()

        try driver.destroy("kitten")
        #expect(try driver.observeEnclaves().instances.isEmpty)
        try host.expectAllReturned()
    }

    @Test func memoryNeverLeavesARunningEnclave() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try request(host))
        #expect { _ = try driver.shrink("kitten", cpus: CPUSet(), memory: [mib(128, node: 1)]) } throws: {
            ($0 as? EnclaveError)?.kind == .notSupportedWhileRunning
        }
        // The tool has no removal at all: --remove is not an option (usage, exit 255).
        let before = try driver.read(0).memory.count
        let raw = try host.tool("pisces_ctrl", "--remove", "--mem=40", "/dev/pisces-enclave0")
        #expect(raw.exitStatus == 255)
        #expect(try driver.read(0).memory.count == before)
        let again = try driver.recreate(try request(host, memory: [mib(128, node: 1)]))
        #expect(again.memory == [mib(128, node: 1)])
        try host.expectAccounted()
    }

    @Test func aFailedLaunchOnlinesTheBootResourcesAgainAndTheLoadedEnclaveIsFreed() throws {
        let host = try SimHost()
        try host.fault("fail", "pisces_launch", "launch")
        let error = #expect(throws: EnclaveError.self) { _ = try host.pisces.create(try request(host)) }
        #expect(error?.kind == .toolFailed)
        #expect(error?.tool?.stdout.contains("Error: Could not launch enclave 0") == true)
        // The 2015+ pisces_shutdown frees a LOADED enclave too (research §7.6).
        #expect(error?.rollback == [])
        #expect(try host.pisces.observeEnclaves().instances.isEmpty)
        try host.expectAllReturned()
    }

    @Test func aCPURefusingOfflineStopsTheCreateBeforeAnythingChanges() throws {
        let host = try SimHost()
        try host.fault("refuse-offline", "5")
        let error = #expect(throws: EnclaveError.self) { _ = try host.pisces.create(try request(host)) }
        #expect(error?.kind == .busy)
        #expect(error?.rollback == [])
        #expect(host.calls("pisces_load").isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        // A running enclave cannot take it either, and nothing changes.
        _ = try host.pisces.create(try request(host, cpus: CPUSet([4])))
        #expect { _ = try host.pisces.grow("kitten", cpus: CPUSet(5...6), memory: []) } throws: { ($0 as? EnclaveError)?.kind == .busy }
        #expect(try host.pisces.read(0).cpus == [4])
        try host.expectAccounted()
    }

    @Test func aRefusedCPUStaysListedWhileLinuxRunsItAndCountsAsNotAdded() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try request(host, cpus: CPUSet([4])))
        try host.fault("fail", "pisces_ctrl", "add_cpu", "--nth", "2")
        // Kitten refuses CPU 6: the tool onlines it again and exits 0, the module keeps it listed.
        let error = #expect(throws: EnclaveError.self) { _ = try driver.grow("kitten", cpus: CPUSet(5...7), memory: []) }
        #expect(error?.kind == .inconsistent)
        #expect(error?.tool?.exitStatus == 0)
        #expect(error?.message.contains("added only 5,7 of CPUs 5-7") == true)
        #expect(try driver.read(0).cpus == [4, 5, 6, 7])
        #expect(host.hotplug.isCPUOnline(6))
        let o = try driver.observeEnclaves()
        #expect(o.instances.map(\.state) == ["RUNNING"])
        #expect(o.instances.first?.cpus == CPUSet([4, 5, 7]))
        #expect(o.warnings.contains { $0.contains("CPUs 6 that failed to join") })
        #expect(host.state.readEnclaveRegistry().entries.first?.cpuOrder == [4, 5, 7])
        // Pisces refuses to add a listed CPU again: a recreate is the way out.
        #expect { _ = try driver.grow("kitten", cpus: CPUSet([6]), memory: []) } throws: {
            ($0 as? EnclaveError)?.kind == .notSupportedWhileRunning
        }
        try host.expectAccounted()
        try driver.destroy("kitten")
        try host.expectAllReturned()
    }

    @Test func aPartialMemoryAddKeepsWhatJoined() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try request(host, memory: [mib(128, node: 1)]))
        try host.fault("fail", "pisces_ctrl", "add_mem", "--nth", "2")
        let error = #expect(throws: EnclaveError.self) { _ = try driver.grow("kitten", cpus: CPUSet(), memory: [mib(256, node: 1)]) }
        #expect(error?.kind == .inconsistent)
        #expect(try driver.observeEnclaves().instances.first?.memory == [mib(256, node: 1)])
        try host.expectAccounted()
    }

    @Test func ctrlCommandsNeedARunningEnclave() throws {
        let host = try SimHost()
        let driver = host.pisces
        let image = try host.kittenImage()
        let id = try driver.load(image: image, initTask: (image as NSString).deletingLastPathComponent + "/lwk_init", commandLine: "console=pisces")
        #expect { try driver.addCPUs(id, [5]) } throws: { ($0 as? EnclaveError)?.kind == .notReady }
        #expect(host.hotplug.isCPUOnline(5))
        // The raw tool offlines the CPU, fails the ADD command, onlines it again
        // (pis18 pisces_ctrl.c:222-226), says so and exits 0.
        let raw = try host.tool("pisces_ctrl", "--explicit", "--cpu=5", "/dev/pisces-enclave\(id)")
        #expect(raw.exitStatus == 0)
        #expect(raw.stdout.contains("Error: Could not add CPU to enclave \(id)"))
        #expect(host.hotplug.isCPUOnline(5))
        #expect(host.read("/.sosplan-sim/kernel.log")?.contains("Attempted Ctrl IOCTL on non-running enclave") == true)
        // SHUTDOWN fails, FREE goes ahead: a LOADED enclave is freed (research §7.6).
        try driver.shutdownAndFree(id)
        #expect(try driver.observeEnclaves().instances.isEmpty)
        try host.expectAllReturned()
    }

    @Test func freeDoesNotOnlineAnythingSoTheDriverDoes() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try request(host))
        // pisces_shutdown dies after FREE, before it onlines what it cached.
        try host.fault("fail", "pisces_shutdown", "online")
        try driver.destroy("kitten")
        #expect(host.calls("pisces_shutdown").first.map { $0 == ["pisces_shutdown", "0"] } == true)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.hotplug.memoryBlocks().allSatisfy { $0.online })
        try host.expectAccounted()
    }

    @Test func aFailedFreeLeavesADeadEnclaveThatObserveReports() throws {
        let host = try SimHost()
        _ = try host.pisces.create(try request(host))
        // pisces_shutdown ignores FREE's result and onlines the CPUs anyway.
        try host.fault("fail", "pisces_shutdown", "free")
        let error = #expect(throws: EnclaveError.self) { try host.pisces.destroy("kitten") }
        #expect(error?.kind == .toolFailed)
        let o = try host.pisces.observeEnclaves()
        #expect(o.instances.map(\.state) == ["DEAD"])
        #expect(o.warnings.contains { $0.contains("shut down but not freed") })
    }

    @Test func fragmentedMemoryIsInsufficient() throws {
        let host = try SimHost()
        try host.fault("fragment", "1", "128Mi")
        #expect { _ = try host.pisces.create(try request(host)) } throws: { ($0 as? EnclaveError)?.kind == .insufficientMemory }
        #expect(host.calls("pisces_load").isEmpty)
        try host.expectAccounted()
    }

    @Test func memoryMovesInWholeBlocks() throws {
        let host = try SimHost()
        #expect(host.pisces.capabilities.memoryGranularity == 128 << 20)
        #expect { _ = try host.pisces.create(try request(host, memory: [mib(200, node: 1)])) } throws: {
            ($0 as? EnclaveError)?.kind == .invalid
        }
    }

    @Test func theShortExplicitFlagSwallowsTheNextWord() throws {
        let host = try SimHost()
        _ = try host.pisces.create(try request(host, cpus: CPUSet([4])))
        // optstring "m:c:n:e:r": -e takes --cpu=5 as its argument, so nothing is added.
        let raw = try host.tool("pisces_ctrl", "-e", "--cpu=5", "/dev/pisces-enclave0")
        #expect(raw.exitStatus == 0)
        #expect(try host.pisces.read(0).cpus == [4])
        #expect(host.hotplug.isCPUOnline(5))
        try host.expectAccounted()
    }

    @Test func twoEnclavesSideBySide() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try request(host, name: "a", cpus: CPUSet(2...3), memory: [mib(256)]))
        _ = try driver.create(try request(host, name: "b", cpus: CPUSet(4...5), memory: [mib(256, node: 1)]))
        #expect(try driver.observeEnclaves().instances.map { $0.name ?? "" } == ["a", "b"])
        #expect { _ = try driver.create(try request(host, name: "c", cpus: CPUSet([3]))) } throws: { ($0 as? EnclaveError)?.kind == .busy }
        try driver.destroy("a")
        #expect(try driver.observeEnclaves().instances.map { $0.name ?? "" } == ["b"])
        try host.expectAccounted()
    }
}
