import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// One test (or more) per numbered finding of research/cokernels-upstream.md
/// §6, each against the simulators as upstream behaves (ihk @3114d9e,
/// mckernel @e597be0, drouyang/pisces @f0cfeeb and the 2018 tools, intel/mOS).
@Suite struct UpstreamFindingsTests {
    func mck(_ host: SimHost, cpus: CPUSet = CPUSet(2...3), memory: [MemoryChunk] = [mib(512)]) throws -> EnclaveRequest {
        EnclaveRequest(name: "lwk0", cpus: cpus, memory: memory, image: try host.image(), args: "hidos")
    }

    func kit(_ host: SimHost, cpus: CPUSet = CPUSet(4...5)) throws -> EnclaveRequest {
        EnclaveRequest(name: "kit", cpus: cpus, memory: [mib(256, node: 1)], image: try host.kittenImage())
    }

    /// calls.log as (tool, arguments, exit status).
    func calls(_ host: SimHost) -> [(tool: String, args: [String], status: Int64)] {
        (host.read("/.sosplan-sim/calls.log") ?? "").split(separator: "\n").compactMap { line in
            guard let v = try? JSONParser.parse(String(line)), let tool = v["tool"]?.stringValue,
                case .array(let args)? = v["arguments"], case .int(let status)? = v["status"]
            else { return nil }
            return (tool, args.compactMap(\.stringValue), status)
        }
    }

    /// `ihkosctl N get status` calls made while OS N had no boot parameters:
    /// before a successful `boot`, or after `shutdown` or `destroy`.
    func statusOutsideBootedWindow(_ host: SimHost) -> [String] {
        var booted: Set<String> = []
        var bad: [String] = []
        for c in calls(host) {
            switch (c.tool, c.args.dropFirst().first) {
            case ("ihkosctl", "boot") where c.status == 0: booted.insert(c.args[0])
            case ("ihkosctl", "shutdown"): booted.remove(c.args[0])
            case ("ihkconfig", "destroy"): booted.remove(c.args.last ?? "")
            case ("ihkosctl", "get") where !booted.contains(c.args[0]): bad.append(c.args.joined(separator: " "))
            default: break
            }
        }
        return bad
    }

    // MARK: 1. IHK status outside the booted window

    @Test func f1_ihkIsAskedForAStatusOnlyWhileAnOSIsBooted() throws {
        let host = try SimHost()
        let driver = host.ihk
        _ = try driver.create(try mck(host))
        _ = try driver.observeEnclaves()
        try driver.destroy("lwk0")
        try host.fault("fail", "ihkosctl", "load")
        #expect(throws: EnclaveError.self) { _ = try driver.create(try mck(host)) }
        _ = try driver.observeEnclaves()
        #expect(statusOutsideBootedWindow(host) == [])
        #expect(try host.audit().filter { $0.hasPrefix("hazard") } == [])
        try host.expectAllReturned()
    }

    @Test func f1_theSimulatorRecordsTheHazardAndKillsTheTool() throws {
        let host = try SimHost()
        #expect(try host.tool("ihkconfig", "0", "create").succeeded)
        let r = try host.tool("ihkosctl", "0", "get", "status")
        #expect(r.exitStatus == 137 && r.stdout.isEmpty)
        #expect(try host.audit().contains { $0.hasPrefix("hazard: ihkosctl 0 get status: OS 0 never booted") })
    }

    // MARK: 2. Pisces CPU shrink

    @Test func f2_piscesNeverRemovesCPUsLive() throws {
        let host = try SimHost()
        let driver = host.pisces
        #expect(!driver.capabilities.shrinkCPUsWhileRunning)
        _ = try driver.create(try kit(host))
        let error = #expect(throws: EnclaveError.self) { _ = try driver.shrink("kit", cpus: CPUSet([5]), memory: []) }
        #expect(error?.kind == .notSupportedWhileRunning)
        #expect(!host.calls("pisces_ctrl").contains { $0.contains("--remove") })
        // No 2015+ tool takes --remove (pis18 pisces_add.c:46-54): usage, exit 255.
        #expect(try host.tool("pisces_ctrl", "--remove", "--cpu=5", "/dev/pisces-enclave0").exitStatus == 255)
        #expect(try driver.read(0).cpus == [4, 5])
        try host.expectAccounted()
    }

    // MARK: 3. IHK memory released by exact chunks

    @Test func f3_ihkMemoryIsReleasedChunkByChunkNotByNodeTotals() throws {
        let host = try SimHost()
        // No run holds 512 MiB: the reservation becomes chunks of 300 MiB and 212 MiB.
        try host.fault("chunks", "0", "300Mi,212Mi,100Mi")
        _ = try host.ihk.create(try mck(host))
        try host.ihk.destroy("lwk0")
        let released = host.calls("ihkconfig").filter { $0.count > 3 && $0[2] == "release" && $0[3] == "mem" }.map { $0[4] }
        #expect(released.allSatisfy { $0 == "all" || !$0.contains("536870912@0") && !$0.contains("512M@0") }, "\(released)")
        try host.expectAllReturned()
    }

    // MARK: 4. A failed create empties the OS before destroying it

    @Test func f4_aFailedCreateReleasesTheOSsCPUsAndMemoryBeforeDestroyingIt() throws {
        let host = try SimHost()
        try host.fault("fail", "ihkosctl", "load")
        #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try mck(host)) }
        let steps = host.calls().filter { ["release", "destroy"].contains($0.count > 2 ? $0[2] : "") }.map { "\($0[0]) \($0[2])" }
        #expect(Array(steps.prefix(2)) == ["ihkosctl release", "ihkosctl release"], "\(steps)")
        #expect(steps.dropFirst(2).first == "ihkconfig destroy")
        #expect(try host.audit().filter { $0.contains("stranded") } == [])
        try host.expectAllReturned()
    }

    // MARK: 5. A Pisces add counts only when listed and offline

    @Test func f5_aRefusedPiscesAddIsReportedAndTheEnclaveStaysRunning() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try kit(host, cpus: CPUSet([4])))
        try host.fault("fail", "pisces_ctrl", "add_cpu")
        let error = #expect(throws: EnclaveError.self) { _ = try driver.grow("kit", cpus: CPUSet([5]), memory: []) }
        #expect(error?.kind == .inconsistent)
        // /proc lists CPU 5 (the module recorded it first) while Linux runs it again.
        #expect(try driver.read(0).cpus == [4, 5])
        #expect(host.hotplug.isCPUOnline(5))
        let o = try driver.observeEnclaves()
        #expect(o.instances.map(\.state) == ["RUNNING"])
        #expect(o.instances.first?.cpus == CPUSet([4]))
        try host.expectAccounted()
    }

    // MARK: 6. /proc lists CPUs ascending; Kitten numbers them by join order

    @Test func f6_kittenLogicalIDsComeFromTheJoinOrderNotFromProc() throws {
        let host = try SimHost()
        let driver = host.pisces
        _ = try driver.create(try kit(host, cpus: CPUSet(5...6)))
        _ = try driver.grow("kit", cpus: CPUSet([4]), memory: [])
        #expect(try driver.read(0).cpus == [4, 5, 6])  // src/enclave.c:354, ascending
        let instance = try #require(try driver.instance(named: "kit"))
        let argv = try EnclaveLaunchCommand.argumentVector(
            .init(service: "solver", instance: instance, exec: ["/bin/true"], cpus: CPUSet([4]), cpuCount: 1),
            launcher: host.tools + "/pisces_run")
        // Joined 5, 6, then 4: CPU 4 is Kitten's logical CPU 2.
        #expect(argv.contains("--cpulist=2"), "\(argv)")
        let run = try CommandRunner.run(URL(fileURLWithPath: argv[0]), Array(argv.dropFirst()))
        #expect(run.status == 0)
        #expect(host.read("/.sosplan-sim/kernel.log")?.contains("launched job solver (/bin/true ) on CPUs 4") == true)
    }

    // MARK: 7. lwkctl exit statuses

    @Test func f7_aRefusedLWKConfigWriteIsNotNotFound() throws {
        let host = try SimHost()
        try host.fault("fragment", "1", "128Mi")
        let error = #expect(throws: EnclaveError.self) {
            _ = try host.mos.create(EnclaveRequest(name: "lwk", cpus: CPUSet([2, 3]), memory: [mib(512, node: 1)]))
        }
        #expect(error?.tool?.exitStatus == 254)
        #expect(error?.kind == .invalid)
        #expect(error?.message.contains("refused") == true)
        try host.expectAllReturned()
    }

    @Test func f7_aPrivilegeFailureIsPermissionAndOtherAbortsAreNot() throws {
        let host = try SimHost()
        try host.fault("refuse-offline", "3")
        let raw = try host.tool("lwkctl", "-c", "lwkcpus=0.3")
        #expect(raw.exitStatus == 255 && raw.stderr.contains("Insufficient privilege"))
        let r = ToolResult(tool: "lwkctl", executable: "", arguments: [], exitStatus: 255, stdout: "", stderr: raw.stderr)
        #expect(MOSDriver.kind(r) == .permission)
        #expect(MOSDriver.kind(ToolResult(tool: "lwkctl", executable: "", arguments: [], exitStatus: 255, stdout: "", stderr: "")) == .toolFailed)
        #expect(MOSDriver.kind(ToolResult(tool: "lwkctl", executable: "", arguments: [], exitStatus: 254, stdout: "", stderr: "")) == .invalid)
        #expect(MOSDriver.kind(ToolResult(tool: "lwkctl", executable: "", arguments: [], exitStatus: 240, stdout: "", stderr: "")) == .busy)
    }

    // MARK: 8. pisces_run returns at launch

    @Test func f8_piscesRunReturnsOnceTheJobIsLaunched() throws {
        let host = try SimHost()
        _ = try host.pisces.create(try kit(host))
        let start = Date()
        let run = try CommandRunner.run(
            URL(fileURLWithPath: host.tools + "/pisces_run"), ["--np=1", "--name=sleeper", "--", "/dev/pisces-enclave0", "/bin/sleep", "20"])
        #expect(run.status == 0)
        #expect(Date().timeIntervalSince(start) < 10, "pisces_run waited for the job")
        #expect(host.read("/.sosplan-sim/kernel.log")?.contains("launched job sleeper") == true)
    }

    @Test func f8_aPiscesLauncherUnitIsAOneshotThatStaysActive() throws {
        var request = ExecUnitRequest(name: "sosplan-solver.service", slice: "sosplan-solver.slice", arguments: ["/opt/pisces/linux_usr/pisces_run", "--np=1"])
        request.returnsAtLaunch = true
        let text = try ManagedUnitFiles.execUnit(request).render()
        #expect(text.contains("Type=oneshot\nRemainAfterExit=yes\n"), "\(text)")
        request.returnsAtLaunch = false
        #expect(try ManagedUnitFiles.execUnit(request).render().contains("Type=exec\n"))
    }

    // MARK: 9. One Pisces tool generation

    @Test func f9_thePre2015ToolsAreRefusedWithAReason() throws {
        let host = try SimHost()
        // A pisces_load that prints what the 2014 tool printed (pis @1336644 linux_usr/pisces_load.c:50).
        let script = host.base.appendingPathComponent("old-tools")
        try FileManager.default.createDirectory(at: script, withIntermediateDirectories: true)
        for tool in ["pisces_launch", "pisces_ctrl", "pisces_shutdown", "sosplan-sim.json"] {
            try FileManager.default.createSymbolicLink(atPath: script.appendingPathComponent(tool).path, withDestinationPath: host.tools + "/" + tool)
        }
        let load = script.appendingPathComponent("pisces_load").path
        try "#!/bin/sh\necho 'Enclave Created: /dev/pisces-enclave0'\nexit 0\n".write(toFile: load, atomically: true, encoding: .utf8)
        chmod(load, 0o755)
        var configuration = host.configuration
        configuration.toolsDirectory = script.path
        let old = PiscesDriver(configuration: configuration, stateDirectory: host.state)
        let error = #expect(throws: EnclaveError.self) { _ = try old.create(try kit(host)) }
        #expect(error?.message.contains("pre-2015 Pisces tools") == true)
        #expect(host.onlineCPUs() == CPUSet(0...7))
    }

    // MARK: 10. What mcreboot does around the tools

    @Test func f10_memoryIsCompactedAndCachesDroppedBeforeReserving() throws {
        let host = try SimHost()
        _ = try host.ihk.create(try mck(host))
        #expect(host.read("/proc/sys/vm/compact_memory") == "1\n")
        #expect(host.read("/proc/sys/vm/drop_caches") == "3\n")
        let log = host.read("/.sosplan-sim/kernel.log") ?? ""
        #expect(log.contains("compact_memory: free memory compacted before this reservation"))
        #expect(log.contains("drop_caches: page cache dropped before this reservation"))
    }

    @Test func f10_aMissingMcctrlIsAClearErrorBeforeAnythingIsReserved() throws {
        let host = try SimHost()
        try host.fault("mcctrl-missing")
        let error = #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try mck(host)) }
        #expect(error?.kind == .notReady && error?.message.contains("mcctrl is not loaded") == true)
        #expect(!host.calls("ihkconfig").contains { $0.count > 2 && $0[2] == "reserve" })
    }

    @Test func f10_aBuildIDMismatchIsAClearError() throws {
        let host = try SimHost()
        try host.fault("buildid", "some-other-build")
        let error = #expect(throws: EnclaveError.self) { _ = try host.ihk.create(try mck(host)) }
        #expect(error?.kind == .invalid)
        #expect(error?.message.contains("IHK build-id (some-other-build) didn't match McKernel build-id") == true)
        #expect(!host.calls("ihkconfig").contains { $0.count > 2 && $0[2] == "reserve" })
    }

    @Test(.enabled(if: getgrnam("daemon") != nil, "this host has no group 'daemon'"))
    func f10_theDeviceNodesGoToTheLayoutsGroup() throws {
        let host = try SimHost()
        var request = try mck(host)
        request.deviceGroup = "daemon"
        _ = try host.ihk.create(request)
        let gid = try #require(getgrnam("daemon")).pointee.gr_gid
        for node in ["/dev/mcd0", "/dev/mcos0"] {
            var st = stat()
            #expect(stat(host.root + node, &st) == 0)
            #expect(st.st_gid == gid && st.st_mode & 0o060 == 0o060, "\(node)")
        }
        request.name = "other"
        request.deviceGroup = "no-such-group-here"
        #expect { _ = try host.ihk.create(request) } throws: { ($0 as? EnclaveError)?.message.contains("does not exist") == true }
    }

    // MARK: 11. No pre-offlining before the Pisces tools

    @Test func f11_piscesGetsCPUsAndBlocksThatLinuxStillRuns() throws {
        let host = try SimHost()
        #expect(host.pisces.capabilities.offlinesCPUsItself)
        // pisces_ctrl refuses a CPU that is already offline (research §7.2).
        _ = try host.pisces.create(try kit(host, cpus: CPUSet(4...6)))
        #expect(try host.pisces.read(0).cpus == [4, 5, 6])
        try host.write("/sys/devices/system/cpu/cpu7/online", "0\n")
        let raw = try host.tool("pisces_ctrl", "--explicit", "--cpu=7", "/dev/pisces-enclave0")
        #expect(raw.exitStatus == 0 && raw.stderr.contains("Could not offline CPU 7"))
        #expect(try host.pisces.read(0).cpus == [4, 5, 6])
        try host.write("/sys/devices/system/cpu/cpu7/online", "1\n")
        try host.expectAccounted()
    }

    // MARK: 12. A running yod job blocks delete

    @Test func f12_aRunningYodJobHoldsItsCPUsUntilItEnds() throws {
        let host = try SimHost()
        _ = try host.mos.create(EnclaveRequest(name: "lwk", cpus: CPUSet(2...3), memory: [mib(256)]))
        let job = Process()
        job.executableURL = URL(fileURLWithPath: host.tools + "/yod")
        job.arguments = ["--cpus", "2", "--mem", "1/2", "/bin/sleep", "30"]
        try job.run()
        // What `systemctl stop` does: every process of the unit gets the signal.
        let pid = job.processIdentifier
        @Sendable func signalJob(_ sig: Int32) {
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            for child in children.split(separator: " ").compactMap({ Int32($0) }) { kill(child, sig) }
            kill(pid, sig)
        }
        defer { if job.isRunning { signalJob(SIGKILL) } }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, (try host.mos.readPartition()).reservedCPUs.isEmpty { usleep(50_000) }
        #expect(try host.mos.readPartition().reservedCPUs == CPUSet([2]))
        let refused = try host.tool("lwkctl", "-d", "-f")
        #expect(refused.exitStatus == 240 && refused.stderr.contains("Can't delete LWK partition - being used"))
        // The driver waits for the job (here it ends a moment later, as a stopped service's would).
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { signalJob(SIGTERM) }
        try host.mos.destroy("lwk")
        job.waitUntilExit()
        #expect(try host.mos.readPartition().reservedCPUs.isEmpty)
        try host.expectAllReturned()
    }

    // MARK: 13. Minor

    @Test func f13_reserveExitsWithTheErrnoAndPrintsOnStdout() throws {
        let host = try SimHost()
        let bad = try host.tool("ihkconfig", "0", "reserve", "mem", "5M@0")
        #expect(bad.exitStatus == 234 && bad.stdout.contains("do_reserve: error: reserving memory: 5M@0") && bad.stderr.isEmpty)
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "2").succeeded)
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "2").exitStatus == 234)  // reserved already: -EINVAL
        #expect(try host.tool("ihkconfig", "0", "release", "cpu", "2").succeeded)
    }

    @Test func f13_ihkosctlPassesKargsWithoutHidos() throws {
        let host = try SimHost()
        #expect(try host.tool("ihkconfig", "0", "create").succeeded)
        #expect(try host.tool("ihkosctl", "0", "kargs", "ksyslogd=0").succeeded)
        #expect(try host.tool("ihkconfig", "0", "destroy", "0").succeeded)
    }

    @Test func f13_mcexecStartsAServiceOnItsOwnFirstCPU() throws {
        let host = try SimHost()
        let made = try host.ihk.create(try mck(host, cpus: CPUSet(2...5)))
        let argv = try EnclaveLaunchCommand.argumentVector(
            .init(service: "s", instance: made, exec: ["/bin/echo", "hi"], cpus: CPUSet(4...5), cpuCount: 2), launcher: host.tools + "/mcexec")
        #expect(Array(argv.dropFirst().prefix(3)) == ["-c", "2", "0"])
        let run = try CommandRunner.run(URL(fileURLWithPath: argv[0]), Array(argv.dropFirst()))
        #expect(run.status == 0 && run.stdout == "hi\n")
    }
}
