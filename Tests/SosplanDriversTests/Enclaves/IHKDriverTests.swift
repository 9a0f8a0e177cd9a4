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
        // mcreboot-smp.sh.in:339-431: reserve mem, reserve cpu, create, assign cpu, assign mem, load, kargs, boot.
        let steps = host.calls().filter { !["query", "get"].contains($0[2]) }.map {
            ["reserve", "assign", "release"].contains($0[2]) ? "\($0[2]) \($0[3])" : $0[2]
        }
        #expect(steps == ["reserve mem", "reserve cpu", "create", "assign cpu", "assign mem", "load", "kargs", "boot"])
        try host.expectAccounted()

        try driver.destroy("lwk0")
        // mcstop+release-smp.sh.in:58-120: destroy (no shutdown first), release cpu, release mem.
        let teardown = host.calls().filter { !["query", "get"].contains($0[2]) }.map { $0[2] }.suffix(3)
        #expect(Array(teardown) == ["destroy", "release", "release"])
        #expect(try driver.observeEnclaves().instances.isEmpty)
        let pool = try driver.queryPool()
        #expect(pool.cpus.isEmpty && pool.memory.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.state.readEnclaveRegistry().entries.isEmpty)
        try host.expectAllReturned()
    }

    /// IHK's free memory on node 0 in runs of unrelated sizes, none as large
    /// as a request: every reservation is several chunks, every release must
    /// name them exactly.
    @Test func aFragmentedEnclaveIsCreatedGrownByRecreateAndDestroyedToLinux() throws {
        let host = try SimHost()
        try host.fault("chunks", "0", "156Mi,92Mi,236Mi,44Mi,300Mi,68Mi,172Mi,124Mi,20Mi,96Mi")
        let driver = host.ihk
        _ = try driver.create(try request(host, memory: [mib(512)]))
        let first = try driver.queryOSMemory(0)
        #expect(first.count >= 2 && first.reduce(0) { $0 + $1.bytes } == 512 << 20, "\(first)")
        try host.expectAccounted()
        let grown = try driver.recreate(try request(host, cpus: CPUSet(2...5), memory: [mib(768)]))
        #expect(grown.cpus == CPUSet(2...5) && grown.memory == [mib(768)])
        let second = try driver.queryOSMemory(Int(grown.instance)!)
        #expect(second.count >= 2, "\(second)")
        try host.expectAccounted()
        try driver.destroy("lwk0")
        #expect(try driver.queryPool().memory.isEmpty)
        try host.expectAllReturned()
    }

    /// Destroyed and replaced behind sosplan's back by an OS that never
    /// booted: not asked for its status, emptied before it is destroyed,
    /// and what sosplan reserved for the old one goes back too.
    @Test func aReplacedOSIsEmptiedBeforeItIsDestroyed() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        #expect(try host.tool("ihkconfig", "0", "destroy", "0").succeeded)
        #expect(try host.tool("ihkconfig", "0", "create").succeeded)
        #expect(try host.tool("ihkosctl", "0", "assign", "cpu", "2").succeeded)
        let o = try driver.observeEnclaves()
        #expect(o.instances.map(\.state) == ["UNKNOWN"] && o.instances.map(\.name) == ["lwk0"])
        try driver.destroy("lwk0")
        try host.expectAllReturned()
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
        // ihklib's -ENOMEM as the exit status, the message on stdout (ihkconfig.c:31-34, :230-262).
        let raw = try host.tool("ihkconfig", "0", "reserve", "mem", "512M@0")
        #expect(raw.exitStatus == 244)
        #expect(raw.stdout.contains("do_reserve: error: reserving memory: 512M@0"))
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test func aCPURefusingOfflineIsRolledBackByIHKAndRefusedByTheDriver() throws {
        let host = try SimHost()
        try host.fault("refuse-offline", "3")
        // The module offlines 2, fails on 3 and onlines 2 again (smp_ihk_reserve_cpu).
        let raw = try host.tool("ihkconfig", "0", "reserve", "cpu", "2-3")
        #expect(raw.exitStatus == 255)
        #expect(raw.stdout.contains("do_reserve: error: reserving CPUs: 2-3"))
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
        #expect(try host.tool("ihkconfig", "0", "reserve", "mem", "5M@0").exitStatus == 234)
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
        // Not destroyed, and not shut down either (destroy does that): it still runs.
        let o = try driver.observeEnclaves()
        #expect(o.instances.map(\.state) == ["RUNNING"])
        #expect(o.pool?.cpus.isEmpty == true)
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

    @Test func kargsArePassedAsTheyAreAndTheDriverAddsHidos() throws {
        let host = try SimHost()
        let driver = host.ihk
        try driver.reserveCPUs(CPUSet([2]))
        try driver.reserveMemory([mib(64)])
        let os = try driver.createOS()
        try driver.assignCPUs(os, CPUSet([2]))
        try driver.assignMemory(os, [mib(64)])
        try driver.load(os, image: try host.image())
        // ihkosctl calls the ioctl directly: ihklib's hidos check does not apply (ihkosctl.c:676-691).
        #expect(try host.tool("ihkosctl", String(os), "kargs", "ksyslogd=0").succeeded)
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

    @Test func shutdownIsSynchronousAndReturnsResourcesToThePoolOnly() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try request(host))
        // smp_ihk_os_shutdown finishes inside the ioctl (smp-driver.c:1342-1459).
        #expect(try host.tool("ihkosctl", "0", "shutdown").succeeded)
        #expect(try driver.queryOS(0).cpus.isEmpty)
        #expect(try driver.queryPool().cpus == CPUSet(2...3))
        #expect(host.onlineCPUs().isDisjoint(with: CPUSet(2...3)))
        // Observe does not ask it for its status (it has no boot parameters any more).
        let o = try driver.observeEnclaves()
        #expect(o.instances.map(\.state) == ["INACTIVE"])
        #expect(o.warnings.contains { $0.contains("shut down outside sosplan") })
        try host.expectAccounted()
        try driver.destroy("lwk0")
        try host.expectAllReturned()
    }

    @Test(arguments: ["reserve mem", "reserve cpu", "create", "assign cpu", "assign mem", "load", "kargs", "boot"])
    func aFailedStepRollsBackEverything(action: String) throws {
        let host = try SimHost()
        let tool = ["reserve mem", "reserve cpu", "create"].contains(action) ? "ihkconfig" : "ihkosctl"
        try host.fault(["fail", tool] + action.split(separator: " ").map(String.init))
        let error = #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try request(host)) }
        #expect(error?.rollback == [])
        #expect(try host.ihk.observeEnclaves().instances.isEmpty)
        #expect(try host.ihk.queryPool().cpus.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.state.readEnclaveRegistry().entries.isEmpty)
        try host.expectAllReturned()
    }

    @Test func aPanicDuringBootIsRolledBack() throws {
        let host = try SimHost()
        try host.fault("panic")
        let error = #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try request(host)) }
        #expect(error?.message.contains("PANIC") == true)
        #expect(try host.ihk.observeEnclaves().instances.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAllReturned()
    }

}

extension SimHost {
    func fault(_ args: [String]) throws {
        let r = try sim(["fault", "--root", root] + args)
        guard r.status == 0 else { throw SimHostError(description: "fault \(args) failed: \(r.stderr)") }
    }
}
