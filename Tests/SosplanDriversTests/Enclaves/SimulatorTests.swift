import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// The simulator itself: installation, the tools' lock, faults.
@Suite struct SimulatorTests {
    @Test func installsFromACapturedSysfs() throws {
        let fixture = try TopologyFixtures.load("kvm-16c-1n")
        let host = try SimHost(fixture: fixture.root.path)
        #expect(host.hotplug.presentCPUs() == CPUSet(0...15))
        #expect(host.hotplug.memoryBlockSize() == 0x4000_0000)
        let block = host.hotplug.memoryBlocks().first { $0.removable && $0.online }!
        let made = try host.pisces.create(
            EnclaveRequest(name: "k", cpus: CPUSet(8...9), memory: [MemoryChunk(node: 0, bytes: 1 << 30)], image: try host.kittenImage()))
        #expect(made.memory == [MemoryChunk(node: 0, bytes: 1 << 30)])
        #expect(host.hotplug.isMemoryBlockOnline(block.id) == false)
        _ = try host.ihk.create(EnclaveRequest(name: "m", cpus: CPUSet(12...13), memory: [mib(512)], image: try host.image()))
        try host.expectAccounted()
        try host.pisces.destroy("k")
        try host.ihk.destroy("m")
        #expect(host.onlineCPUs() == CPUSet(0...15))
        try host.expectAccounted()
    }

    /// `__ihk_smp_reserve_mem` keeps the largest physically contiguous runs
    /// (smp-driver.c:3723-3797): without a run as large as the request, one
    /// reservation is several chunks; compacting memory first (mcreboot,
    /// mcreboot-smp.sh.in:273-274) makes fewer, larger ones.
    @Test func aReservationIsSeveralChunksAndCompactionMakesThemFewer() throws {
        let host = try SimHost()
        try host.fault("chunks", "0", "100Mi,100Mi,100Mi,100Mi,100Mi,100Mi")
        #expect(try host.tool("ihkconfig", "0", "reserve", "mem", "512M@0").succeeded)
        let fragmented = try host.ihk.queryPoolMemory()
        #expect(fragmented.map(\.bytes) == [100, 100, 100, 100, 100, 12].map { UInt64($0) << 20 }, "\(fragmented)")
        // Only a chunk of exactly one size is released (smp-driver.c:3961).
        #expect(try host.tool("ihkconfig", "0", "release", "mem", "512M@0").exitStatus == 255)
        #expect(try host.tool("ihkconfig", "0", "release", "mem", "all").succeeded)
        #expect(try host.ihk.queryPoolMemory().isEmpty)
        try host.write("/proc/sys/vm/compact_memory", "1\n")
        #expect(try host.tool("ihkconfig", "0", "reserve", "mem", "512M@0").succeeded)
        let compacted = try host.ihk.queryPoolMemory()
        #expect(compacted.map(\.bytes) == [200, 200, 112].map { UInt64($0) << 20 }, "\(fragmented) then \(compacted)")
        #expect(try host.tool("ihkconfig", "0", "release", "mem", IHKFormat.formatMemoryQuery(compacted)).succeeded)
        try host.expectAllReturned()
    }

    @Test func toolsStartedTogetherSerializeOnTheLock() throws {
        let host = try SimHost()
        // Eight concurrent reservations of distinct CPUs must all land.
        let cpus = Array(1...7)
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: cpus.count) { i in
            let r = try? host.tool("ihkconfig", "0", "reserve", "cpu", String(cpus[i]))
            results.add(r?.exitStatus ?? -1)
        }
        #expect(results.all == Array(repeating: 0, count: cpus.count))
        #expect(try host.ihk.queryPoolCPUs() == CPUSet(1...7))
        #expect(host.onlineCPUs() == CPUSet([0]))
        try host.expectAccounted()
    }

    @Test func faultsAreListedCountedAndCleared() throws {
        let host = try SimHost()
        try host.fault("fail", "ihkconfig", "create", "--nth", "2", "--errno", "ENOMEM")
        try host.fault("refuse-offline", "3")
        #expect(try host.tool("ihkconfig", "0", "create").exitStatus == 0)
        #expect(try host.tool("ihkconfig", "0", "create").exitStatus == 255)
        #expect(try host.tool("ihkconfig", "0", "create").exitStatus == 1)
        let list = try host.sim(["fault", "--root", host.root, "list"])
        #expect(list.stdout.contains("fail ihkconfig create nth=2 count=1 errno=ENOMEM (seen 3, fired 1)"))
        #expect(list.stdout.contains("refuse-offline cpu 3"))
        #expect(host.read("/sys/devices/system/cpu/cpu3/online") == nil)
        try host.fault("clear")
        #expect(host.read("/sys/devices/system/cpu/cpu3/online") == "1\n")
        #expect(try host.sim(["fault", "--root", host.root, "list"]).stdout.hasPrefix("settings:"))
        #expect(host.read("/.sosplan-sim/kernel.log")?.contains("injected failure of ihkconfig create: ENOMEM") == true)
    }

    @Test func toolsFindTheirRootBesideThemAndRefuseWithoutOne() throws {
        let host = try SimHost(drivers: "mos")
        #expect(FileManager.default.fileExists(atPath: host.tools + "/lwkctl"))
        #expect(!FileManager.default.fileExists(atPath: host.tools + "/ihkconfig"))
        let lonely = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-lonely-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: lonely, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: lonely) }
        try FileManager.default.createSymbolicLink(
            atPath: lonely.appendingPathComponent("lwkctl").path, withDestinationPath: RepositoryPaths.product("sosplan-sim").path)
        let r = try CommandRunner.run(lonely.appendingPathComponent("lwkctl"), ["-s"], environment: ["SOSPLAN_SIM_ROOT": ""])
        #expect(r.status == 1)
        #expect(r.stderr.contains("sosplan-sim"))
    }

    @Test func badInstallOptionsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sosplan-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sim = RepositoryPaths.product("sosplan-sim")
        let r = try CommandRunner.run(sim, ["install", "--root", dir.path + "/r", "--tools", dir.path + "/t", "--drivers", "jailhouse"])
        #expect(r.status == 1 && r.stderr.contains("unknown driver 'jailhouse'"))
        let m = try CommandRunner.run(sim, ["install", "--root", dir.path + "/r", "--tools", dir.path + "/t", "--memory", "lots"])
        #expect(m.status == 1 && m.stderr.contains("--memory 'lots'"))
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32] = []
    func add(_ v: Int32) { lock.lock(); values.append(v); lock.unlock() }
    var all: [Int32] { lock.lock(); defer { lock.unlock() }; return values }
}
