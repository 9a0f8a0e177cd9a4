import Foundation
import SosplanCore
import Testing

@testable import SosplanDrivers

/// McKernel/IHK against the simulated ihkconfig/ihkosctl.
@Suite struct IHKDriverTests {
    func request(_ host: SimHost, name: String = "lwk0", cpus: CPUSet = CPUSet(2...3), memory: [MemoryChunk] = [mib(512)])
        throws -> EnclaveRequest
    {
        EnclaveRequest(name: name, cpus: cpus, memory: memory, image: try host.image(), args: "ksyslogd=0")
    }

    @Test func bootsInMcrebootOrderAndTearsDownToLinux() throws {
        let host = try SimHost()
        let driver = host.ihk
        let instance = try driver.create(try request(host, memory: [mib(512), mib(256, node: 1)]))
        #expect(instance.name == "lwk0")
        #expect(instance.state == "RUNNING")
        #expect(instance.cpus == CPUSet(2...3))
        #expect(instance.memory == [mib(512), mib(256, node: 1)])
        #expect(instance.args == "hidos ksyslogd=0")
        #expect(host.onlineCPUs().isDisjoint(with: CPUSet(2...3)))
        // research §1.4: reserve mem, reserve cpu, create, assign cpu, assign mem, load, kargs, boot.
        let steps = host.calls().filter { !["query", "get"].contains($0[2]) }.map {
            ["reserve", "assign", "release"].contains($0[2]) ? "\($0[2]) \($0[3])" : $0[2]
        }
        #expect(steps == ["reserve mem", "reserve cpu", "create", "assign cpu", "assign mem", "load", "kargs", "boot"])
        try host.expectAccounted()

        try driver.destroy("lwk0")
        #expect(try driver.observeEnclaves().instances.isEmpty)
        let pool = try driver.queryPool()
        #expect(pool.cpus.isEmpty && pool.memory.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.state.readEnclaveRegistry().entries.isEmpty)
        try host.expectAccounted()
    }

    @Test func observeReportsPoolAndInstancesAsTheUnionOfQueries() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        try driver.reserveCPUs(CPUSet([6]))
        try driver.reserveMemory([mib(128, node: 1)])
        let o = try driver.observeEnclaves()
        #expect(o.pool == EnclavePool(driver: .mckernel, cpus: CPUSet([6]), memory: [mib(128, node: 1)]))
        #expect(o.instances.map(\.cpus) == [CPUSet(2...3)])
        try host.expectAccounted()
        // Pool leftovers are reused by the next create, never leaked.
        try driver.destroy("lwk0")
        try host.expectAccounted()
        #expect(try driver.queryPool().cpus == CPUSet([6]))
    }

    @Test func growAndShrinkNeedARecreate() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        for change in [{ try driver.grow("lwk0", cpus: CPUSet([4]), memory: []) }, { try driver.shrink("lwk0", cpus: CPUSet([3]), memory: []) }] {
            #expect { _ = try change() } throws: { ($0 as? EnclaveError)?.kind == .notSupportedWhileRunning }
        }
        let again = try driver.recreate(try request(host, cpus: CPUSet(2...5), memory: [mib(1024)]))
        #expect(again.cpus == CPUSet(2...5))
        #expect(again.memory == [mib(1024)])
        #expect(try driver.observeEnclaves().instances.count == 1)
        try host.expectAccounted()
    }

    @Test func reserveUnderFragmentationFailsWithNothingTaken() throws {
        let host = try SimHost()
        try host.fault("fragment", "0", "256Mi")
        #expect { _ = try host.ihk.create(try request(host)) } throws: { ($0 as? EnclaveError)?.kind == .insufficientMemory }
        let raw = try host.tool("ihkconfig", "0", "reserve", "mem", "512M@0")
        #expect(raw.exitStatus == 255)
        #expect(raw.stderr.contains("do_reserve: error: reserving memory: 512M@0"))
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test func aCPURefusingOfflineIsRolledBackByIHKAndRefusedByTheDriver() throws {
        let host = try SimHost()
        try host.fault("refuse-offline", "3")
        // The module offlines 2, fails on 3 and onlines 2 again (smp_ihk_reserve_cpu).
        let raw = try host.tool("ihkconfig", "0", "reserve", "cpu", "2-3")
        #expect(raw.exitStatus == 255)
        #expect(raw.stderr.contains("error: reserving CPUs: 2-3"))
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect { _ = try host.ihk.create(try request(host)) } throws: { ($0 as? EnclaveError)?.kind == .busy }
        try host.expectAccounted()
    }

    @Test func cpuZeroIsNeverReserved() throws {
        let host = try SimHost()
        #expect { _ = try host.ihk.create(try request(host, cpus: CPUSet(0...1))) } throws: { ($0 as? EnclaveError)?.kind == .invalid }
        let raw = try host.tool("ihkconfig", "0", "reserve", "cpu", "0")
        #expect(raw.exitStatus == 255)
        try host.expectAccounted()
    }

    @Test func memoryMustComeInFourMiBMultiples() throws {
        let host = try SimHost()
        #expect { _ = try host.ihk.create(try request(host, memory: [MemoryChunk(node: 0, bytes: 5 << 20)])) } throws: {
            ($0 as? EnclaveError)?.kind == .invalid
        }
        #expect(try host.tool("ihkconfig", "0", "reserve", "mem", "5M@0").exitStatus == 255)
        #expect(host.calls("ihkconfig").filter { $0.count > 2 && $0[2] == "reserve" }.count == 1)
    }

    @Test func destroyRetriesWhileAProcessHoldsTheDevice() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        try host.fault("hold-device", "0", "--count", "2")
        try driver.destroy("lwk0")
        #expect(host.calls("ihkconfig").filter { $0.count > 2 && $0[2] == "destroy" }.count == 3)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test func destroyGivesUpWithBusyAndKeepsEverythingAccounted() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        try host.fault("hold-device", "0")
        let error = #expect(throws: EnclaveError.self) { try driver.destroy("lwk0") }
        #expect(error?.kind == .busy)
        #expect(error?.tool?.stderr.contains("error: destroying OS instance 0") == true)
        // Shut down but not destroyed: the OS's resources went back to the reserved pool.
        let o = try driver.observeEnclaves()
        #expect(o.instances.map(\.state) == ["INACTIVE"])
        #expect(o.pool?.cpus == CPUSet(2...3))
        try host.expectAccounted()
        try host.fault("clear")
        try driver.destroy("lwk0")
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test func assignAfterBootIsRefused() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        try driver.reserveCPUs(CPUSet([5]))
        let raw = try host.tool("ihkosctl", "0", "assign", "cpu", "5")
        #expect(raw.exitStatus == 255)
        #expect(raw.stderr.contains("error: assigning CPUs: 5"))
        #expect(try host.tool("ihkosctl", "0", "release", "cpu", "2").exitStatus == 255)
        // The device releases only reserved, unassigned CPUs ("CPU 2 isn't reserved").
        #expect(try host.tool("ihkconfig", "0", "release", "cpu", "2").exitStatus == 255)
        #expect(host.read("/.sosplan-sim/kernel.log")?.contains("CPU 2 isn't reserved") == true)
        #expect { try driver.assignCPUs(0, CPUSet([5])) } throws: { ($0 as? EnclaveError)?.kind == .notSupportedWhileRunning }
        try host.expectAccounted()
    }

    @Test func kargsWithoutHidosAreRejectedAndTheDriverAddsIt() throws {
        let host = try SimHost()
        let driver = host.ihk
        try driver.reserveCPUs(CPUSet([2]))
        try driver.reserveMemory([mib(64)])
        let os = try driver.createOS()
        try driver.assignCPUs(os, CPUSet([2]))
        try driver.assignMemory(os, [mib(64)])
        try driver.load(os, image: try host.image())
        let error = #expect(throws: EnclaveError.self) { try driver.setKernelArguments(os, "ksyslogd=0") }
        #expect(error?.kind == .invalid)
        #expect(error?.tool?.exitStatus == 255)
        try driver.setKernelArguments(os, IHKDriver.withHidos("ksyslogd=0"))
        #expect(IHKDriver.withHidos("ksyslogd=0") == "hidos ksyslogd=0")
        #expect(IHKDriver.withHidos("a hidos b") == "a hidos b")
        try host.expectAccounted()
    }

    @Test func loadBeforeAssignIsNotReady() throws {
        let host = try SimHost()
        let driver = host.ihk
        let os = try driver.createOS()
        #expect { try driver.load(os, image: try host.image()) } throws: { ($0 as? EnclaveError)?.kind == .notReady }
        let raw = try host.tool("ihkosctl", String(os), "load", try host.image())
        #expect(raw.exitStatus == 255)
        #expect(raw.stderr.contains("error: loading"))
        #expect(try host.tool("ihkosctl", String(os), "boot").exitStatus == 255)
        try driver.destroyOS(os)
        try host.expectAccounted()
    }

    @Test func createExitsWithTheIndexAndUnknownActionsExitZero() throws {
        let host = try SimHost()
        let first = try host.tool("ihkconfig", "0", "create")
        #expect(first.exitStatus == 0 && first.stderr.isEmpty)
        let second = try host.tool("ihkconfig", "0", "create")
        #expect(second.exitStatus == 1)
        #expect(second.stderr == "error: creating OS instance\n")
        #expect(try host.ihk.osInstances() == [0, 1])
        #expect(try host.ihk.createOS() == 2)
        let unknown = try host.tool("ihkconfig", "0", "reserv", "cpu", "2")
        #expect(unknown.exitStatus == 0)
        #expect(unknown.stderr.contains("Unknown action : reserv"))
        #expect(try host.ihk.queryPool().cpus.isEmpty)
        for os in 0...2 { try host.ihk.destroyOS(os) }
    }

    @Test func oneBootedOSPerDevice() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        #expect { _ = try driver.create(try request(host, name: "lwk1", cpus: CPUSet([5]))) } throws: {
            ($0 as? EnclaveError)?.kind == .busy
        }
        try host.expectAccounted()
    }

    @Test func shutdownIsAsynchronousAndReturnsResourcesToThePoolOnly() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        try host.fault("shutdown-polls", "4")
        #expect(try host.tool("ihkosctl", "0", "shutdown").succeeded)
        var seen: [String] = []
        for _ in 0..<4 { seen.append(try driver.status(0).rawValue) }
        #expect(seen == ["SHUTDOWN", "SHUTDOWN", "SHUTDOWN", "INACTIVE"])
        #expect(try driver.queryOS(0).cpus.isEmpty)
        #expect(try driver.queryPool().cpus == CPUSet(2...3))
        #expect(host.onlineCPUs().isDisjoint(with: CPUSet(2...3)))
        try host.expectAccounted()
        try driver.destroy("lwk0")
        #expect(host.onlineCPUs() == CPUSet(0...7))
    }

    @Test func aShutdownDelayEndsInInactiveWithoutEnoughPolls() throws {
        let host = try SimHost()
        _ = try host.ihk.create(try request(host))
        try host.fault("shutdown-polls", "100000")
        try host.fault("shutdown-delay", "0.3")
        try host.ihk.shutdown(0)
        #expect(try host.ihk.status(0) == .inactive)
        try host.expectAccounted()
    }

    @Test func aSlowShutdownTimesOutButDestroyStillFinishes() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        try host.fault("shutdown-polls", "100000")
        #expect { try driver.shutdown(0) } throws: { ($0 as? EnclaveError)?.kind == .timeout }
        try driver.destroy("lwk0")
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test(arguments: ["reserve cpu", "create", "assign mem", "load", "kargs", "boot"])
    func aFailedStepRollsBackEverything(action: String) throws {
        let host = try SimHost()
        let tool = ["reserve cpu", "create"].contains(action) ? "ihkconfig" : "ihkosctl"
        try host.fault(["fail", tool] + action.split(separator: " ").map(String.init))
        let error = #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try request(host)) }
        #expect(error?.rollback == [])
        #expect(try host.ihk.observeEnclaves().instances.isEmpty)
        #expect(try host.ihk.queryPool().cpus.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.state.readEnclaveRegistry().entries.isEmpty)
        try host.expectAccounted()
    }

    @Test func aPanicDuringBootIsRolledBack() throws {
        let host = try SimHost()
        try host.fault("panic")
        let error = #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try request(host)) }
        #expect(error?.message.contains("PANIC") == true)
        #expect(try host.ihk.observeEnclaves().instances.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

}

extension SimHost {
    func fault(_ args: [String]) throws {
        let r = try sim(["fault", "--root", root] + args)
        guard r.status == 0 else { throw SimHostError(description: "fault \(args) failed: \(r.stderr)") }
    }
}
