import Foundation
import SosplanCore
import Testing

@testable import SosplanDrivers

/// mOS against the simulated lwkctl and /sys/kernel/mOS.
@Suite struct MOSDriverTests {
    let spec = EnclaveRequest(name: "lwk", cpus: CPUSet([2, 3, 5, 6]), memory: [gib(1), mib(640, node: 1)])

    @Test func createsObservesAndDeletesThePartition() throws {
        let host = try SimHost()
        let driver = host.mos
        let made = try driver.create(spec)
        #expect(made.name == "lwk")
        #expect(made.instance == "partition")
        #expect(made.state == "ACTIVE")
        #expect(made.cpus == CPUSet([2, 3, 5, 6]))
        #expect(made.memory == [gib(1), mib(640, node: 1)])
        // lwkctl -c '<spec>' -p yes, with a Linux utility CPU on the first CPU's node.
        #expect(host.calls("lwkctl") == [["lwkctl", "-c", "lwkcpus=0.2-3,5-6 lwkmem=0:1G,1:640M", "-p", "yes"]])
        let shown = try driver.show()
        #expect(shown.lwkCPUs == CPUSet([2, 3, 5, 6]))
        #expect(shown.utilityCPUs == CPUSet([0]))
        #expect(shown.linuxCPUs == CPUSet([0, 1, 4, 7]))
        #expect(shown.lwkMemoryKB == [1 << 20, 640 << 10])
        #expect(try driver.showRaw() == "lwkcpus=0.2-3,5-6 lwkmem=0:1G,1:640M")
        // What a layout's args would hold (here nothing): it boots the same partition again.
        #expect(made.args == nil)
        #expect(MOSDriver.extraArgs("lwkcpus=0.2 lwkcpu_profile=debug lwkmem=0:1G precise=yes") == "lwkcpu_profile=debug")
        try host.expectAccounted()

        try driver.destroy("lwk")
        #expect(try driver.observeEnclaves().instances.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.state.readEnclaveRegistry().entries.isEmpty)
        try host.expectAccounted()
    }

    @Test func everyChangeIsARecreate() throws {
        let host = try SimHost()
        let driver = host.mos
        _ = try driver.create(spec)
        #expect { _ = try driver.grow("lwk", cpus: CPUSet([7]), memory: []) } throws: {
            ($0 as? EnclaveError)?.kind == .notSupportedWhileRunning
        }
        #expect { _ = try driver.shrink("lwk", cpus: CPUSet([2]), memory: []) } throws: {
            ($0 as? EnclaveError)?.kind == .notSupportedWhileRunning
        }
        // One partition per host: a second create is refused rather than letting
        // lwkctl -c delete the first one implicitly.
        #expect { _ = try driver.create(EnclaveRequest(name: "other", cpus: CPUSet([7]), memory: [])) } throws: {
            ($0 as? EnclaveError)?.kind == .busy
        }
        let again = try driver.recreate(EnclaveRequest(name: "lwk", cpus: CPUSet(5...7), memory: [mib(512, node: 1)]))
        #expect(again.cpus == CPUSet(5...7))
        #expect(host.onlineCPUs() == CPUSet(0...4))
        try host.expectAccounted()
    }

    @Test func lwkctlCreateImplicitlyDeletesThePreviousPartition() throws {
        let host = try SimHost()
        #expect(try host.tool("lwkctl", "-c", "lwkcpus=0.2-3 lwkmem=0:512M").succeeded)
        #expect(try host.tool("lwkctl", "-c", "lwkcpus=4.6-7").succeeded)
        let p = try host.mos.readPartition()
        #expect(p.lwkCPUs == CPUSet(6...7))
        #expect(p.memory.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...5))
        try host.expectAccounted()
    }

    @Test func anActiveJobBlocksDeletionUnlessForced() throws {
        let host = try SimHost()
        _ = try host.mos.create(spec)
        try host.fault("mos-job", "4242")
        #expect(try host.mos.observeEnclaves().instances.first?.state == "BUSY")
        let raw = try host.tool("lwkctl", "-d")
        #expect(raw.exitStatus == 240)  // -EBUSY
        #expect(raw.stderr.contains("There are active job(s) on this node: 4242"))
        #expect { try host.mos.destroy("lwk") } throws: { ($0 as? EnclaveError)?.kind == .busy }
        try host.expectAccounted()
        var forced = host.mos
        forced.force = true
        try forced.destroy("lwk")
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test func reservedLWKCPUsBlockDeletionEvenWhenForced() throws {
        let host = try SimHost()
        _ = try host.mos.create(spec)
        try host.fault("mos-job", "7", "--reserved", "2-3")
        let raw = try host.tool("lwkctl", "-d", "-f")
        #expect(raw.exitStatus == 240)
        #expect(raw.stderr.contains("Can't delete LWK partition - being used"))
        var forced = host.mos
        forced.force = true
        let error = #expect(throws: EnclaveError.self) { try forced.destroy("lwk") }
        #expect(error?.kind == .busy)
        #expect(try host.mos.readPartition().lwkCPUs == CPUSet([2, 3, 5, 6]))
        try host.expectAccounted()
    }

    @Test func preciseMemoryFailsCleanlyInsteadOfShrinking() throws {
        let host = try SimHost()
        try host.fault("fragment", "1", "512Mi")
        let error = #expect(throws: EnclaveError.self) { _ = try host.mos.create(spec) }
        // The kernel's refusal comes back as a failed write: lwkctl returns -2 (lwkctl_sysfs.c mos_sysfs_write).
        #expect(error?.kind == .invalid)
        #expect(error?.tool?.exitStatus == 254)
        #expect(error?.message.contains("the mOS kernel refused the partition") == true)
        #expect(error?.tool?.stderr.contains("Failed to create LWK partition") == true)
        #expect(try host.mos.readPartition().lwkCPUs.isEmpty)
        #expect(host.onlineCPUs() == CPUSet(0...7))
        // Without -p yes the same request comes back smaller (whole 128 MiB sections).
        #expect(try host.tool("lwkctl", "-c", "lwkcpus=0.2-3 lwkmem=1:640M").succeeded)
        #expect(try host.mos.readPartition().memory == [mib(512, node: 1)])
        #expect(try host.tool("lwkctl", "-c", "lwkcpus=0.2-3 lwkmem=0:1000M").succeeded)
        #expect(try host.mos.readPartition().memory == [mib(896)])
        try host.expectAccounted()
    }

    @Test func aCPUThatFailsToGoOfflineIsGivenBack() throws {
        let host = try SimHost()
        // The kernel offlines the LWK CPUs itself (lwkcpu_up_multiple) and undoes it when one fails.
        try host.fault("fail", "lwkctl", "offline", "--nth", "3")
        let error = #expect(throws: EnclaveError.self) { _ = try host.mos.create(spec) }
        #expect(error?.tool?.exitStatus == 254)
        #expect(error?.tool?.stderr.contains("Failed to create LWK partition") == true)
        #expect(host.read("/.sosplan-sim/kernel.log")?.contains("could not offline CPU 5") == true)
        #expect(error?.rollback == [])
        #expect(host.onlineCPUs() == CPUSet(0...7))
        try host.expectAccounted()
    }

    @Test func aCPUWithoutHotplugIsRefusedUpFront() throws {
        let host = try SimHost()
        try host.fault("refuse-offline", "3")
        #expect { _ = try host.mos.create(spec) } throws: { ($0 as? EnclaveError)?.kind == .busy }
        let raw = try host.tool("lwkctl", "-c", "lwkcpus=0.3")
        #expect(raw.exitStatus == 255)  // mos_sysfs_access_linuxcpu returns -1
        #expect(raw.stderr.contains("Insufficient privilege"))
        try host.expectAccounted()
    }

    @Test func optionQuirks() throws {
        let host = try SimHost()
        #expect(try host.tool("lwkctl", "-r").exitStatus == 234)  // -EINVAL: raw needs show
        #expect(try host.tool("lwkctl", "-p", "yes", "-s").exitStatus == 234)  // precise needs create
        let inline = try host.tool("lwkctl", "--inline")
        #expect(inline.exitStatus == 0 && inline.stdout.hasPrefix("Usage: lwkctl"))
        #expect(try host.tool("lwkctl", "-d").succeeded)  // nothing to delete
        #expect { _ = try host.mos.create(EnclaveRequest(name: "x", cpus: CPUSet([2]), memory: [mib(100)])) } throws: {
            ($0 as? EnclaveError)?.kind == .invalid
        }
        #expect { _ = try host.mos.create(EnclaveRequest(name: "x", cpus: CPUSet([2]), memory: [], image: "/boot/x")) } throws: {
            ($0 as? EnclaveError)?.kind == .invalid
        }
    }
}
