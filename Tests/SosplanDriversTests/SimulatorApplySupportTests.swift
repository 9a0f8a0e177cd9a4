import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

@testable import SosplanDrivers

/// What the apply engine's tests need from the simulator: the call log,
/// the stall fault (for crash tests), the enclave launchers, and reboot.
@Suite(.serialized) struct SimulatorApplySupportTests {
    /// calls.log, one parsed object per line.
    func logged(_ host: SimHost) throws -> [JSONValue] {
        let text = host.read("/.sosplan-sim/calls.log") ?? ""
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    func arguments(_ line: JSONValue) -> [String] {
        guard case .array(let args)? = line["arguments"] else { return [] }
        return args.compactMap(\.stringValue)
    }

    func status(_ line: JSONValue) -> Int64? {
        if case .int(let v)? = line["status"] { return v }
        return nil
    }

    /// Whether the first fault (a stall) has fired, from faults.json.
    func stallFired(_ host: SimHost) -> Bool {
        guard let value = try? JSONParser.parse(host.read("/.sosplan-sim/faults.json") ?? ""),
            case .array(let faults)? = value["faults"], let first = faults.first, case .int(let fired)? = first["fired"]
        else { return false }
        return fired == 1
    }

    /// A tool or launcher in the host's tools directory, run as a child process.
    func run(_ host: SimHost, _ name: String, _ args: String...) throws -> CommandResult {
        try CommandRunner.run(URL(fileURLWithPath: host.tools + "/" + name), args)
    }

    @Test func everyCallIsLoggedWithWhetherItMutates() throws {
        let host = try SimHost()
        #expect(try host.tool("ihkconfig", "0", "query", "cpu").exitStatus == 0)
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "2").exitStatus == 0)
        try host.fault("fail", "ihkconfig", "reserve", "cpu")
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "3").exitStatus == 234)
        #expect(try host.tool("lwkctl", "-s").exitStatus == 0)

        let lines = try logged(host)
        #expect(lines.count == 4)
        #expect(lines.map { $0["tool"]?.stringValue } == ["ihkconfig", "ihkconfig", "ihkconfig", "lwkctl"])
        #expect(lines.map(arguments) == [["0", "query", "cpu"], ["0", "reserve", "cpu", "2"], ["0", "reserve", "cpu", "3"], ["-s"]])
        #expect(lines.map { $0["mutating"]?.boolValue } == [false, true, true, false])
        #expect(lines.map(status) == [0, 0, 234, 0])  // reserve exits (uint8)-errno: the fault's EINVAL
        // The failed reservation changed nothing but still counts as an attempt.
        #expect(try host.ihk.queryPoolCPUs() == CPUSet([2]))
    }

    @Test func callsCommandFiltersMutatingCallsAndClears() throws {
        let host = try SimHost()
        _ = try host.tool("ihkconfig", "0", "get", "os_instances")
        _ = try host.tool("ihkconfig", "0", "reserve", "cpu", "4")
        _ = try host.tool("ihkconfig", "0", "query", "cpu")
        _ = try host.tool("ihkconfig", "0", "release", "cpu", "4")

        let all = try host.sim(["calls", "--root", host.root])
        #expect(all.status == 0)
        #expect(all.stdout.split(separator: "\n").count == 4)
        let mutating = try host.sim(["calls", "--tools", host.tools, "--mutating"])
        let parsed = try mutating.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(parsed.map(arguments) == [["0", "reserve", "cpu", "4"], ["0", "release", "cpu", "4"]])
        #expect(parsed.allSatisfy { $0["mutating"]?.boolValue == true })

        #expect(try host.sim(["calls", "--root", host.root, "--clear"]).status == 0)
        #expect(try host.sim(["calls", "--root", host.root]).stdout.isEmpty)
        #expect(try host.sim(["calls", "--root", host.root, "--bogus"]).status == 1)
    }

    @Test func aStalledCallWaitsAndThenSucceeds() throws {
        let host = try SimHost()
        try host.fault("stall", "ihkconfig", "reserve", "cpu", "1")
        let start = Date()
        let r = try host.tool("ihkconfig", "0", "reserve", "cpu", "2")
        #expect(Date().timeIntervalSince(start) >= 0.9)
        #expect(r.exitStatus == 0)
        #expect(try host.ihk.queryPoolCPUs() == CPUSet([2]))
        let list = try host.sim(["fault", "--root", host.root, "list"])
        #expect(list.stdout.contains("stall ihkconfig reserve cpu 1.0s nth=1 count=1 (seen 1, fired 1)"))
        #expect(try host.sim(["fault", "--root", host.root, "stall", "ihkconfig", "boot"]).status == 1)
        try host.expectAccounted()
    }

    @Test func killingAStalledToolLeavesTheHostUsable() throws {
        let host = try SimHost()
        try host.fault("stall", "ihkconfig", "reserve", "10")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: host.tools + "/ihkconfig")
        child.arguments = ["0", "reserve", "cpu", "3"]
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        // Wait until it has counted the stall (faults.json says so), then kill it mid-sleep.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !stallFired(host) { usleep(20_000) }
        #expect(stallFired(host))
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)

        let state = try JSONParser.parse(host.read("/.sosplan-sim/state.json") ?? "")
        #expect(state["nodes"] != nil)
        #expect(try host.ihk.queryPoolCPUs().isEmpty)
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "3").exitStatus == 0)
        #expect(try host.ihk.queryPoolCPUs() == CPUSet([3]))
        try host.expectAccounted()
    }

    @Test func mcexecRunsTheProgramOnlyOnABootedOS() throws {
        let host = try SimHost()
        let none = try run(host, "mcexec", "0", "/bin/echo", "hi")
        #expect(none.status == 1)
        #expect(none.stderr.contains("Error: Failed to open /dev/mcos0."))
        #expect(none.stdout.isEmpty)

        // An OS that exists but never booted has no CPUs to run on.
        #expect(try host.tool("ihkconfig", "0", "create").exitStatus == 0)
        let notBooted = try run(host, "mcexec", "0", "/bin/echo", "hi")
        #expect(notBooted.status == 1)
        #expect(notBooted.stderr.contains("No CPU found."))
        #expect(try host.tool("ihkconfig", "0", "destroy", "0").exitStatus == 0)

        // reserve mem, reserve cpu, create, assign, load, kargs, boot; polled to RUNNING.
        let made = try host.ihk.create(EnclaveRequest(name: "lwk0", cpus: CPUSet(2...3), memory: [mib(512)], image: try host.image()))
        #expect(made.state == "RUNNING")
        let hi = try run(host, "mcexec", "0", "/bin/echo", "hi")
        #expect(hi.status == 0)
        #expect(hi.stdout == "hi\n")
        let tooMany = try run(host, "mcexec", "-n", "3", "0", "/bin/echo", "hi")
        #expect(tooMany.status == 22)
        #expect(tooMany.stderr.contains("nr_processes can't exceed nr. of CPUs"))

        let launches = try logged(host).filter { $0["tool"]?.stringValue == "mcexec" }
        #expect(launches.map(status) == [1, 1, 0, 22])
        #expect(launches.map { $0["launch"]?.boolValue } == [nil, nil, true, nil])
        #expect(launches.allSatisfy { $0["mutating"]?.boolValue == false })
    }

    @Test func launchersAreInstalledUnderTheEngineNames() throws {
        let host = try SimHost()
        for driver in EnclaveDriverKind.allCases {
            let name = (EnclaveLaunchCommand.defaultLauncher(for: driver) as NSString).lastPathComponent
            #expect(FileManager.default.isExecutableFile(atPath: host.tools + "/" + name), "\(name)")
        }
        // yod refuses without a partition and runs inside one.
        let refused = try run(host, "yod", "--resources", "all", "/bin/echo", "y")
        #expect(refused.status == 234)
        #expect(refused.stderr.contains("There are no complete cores available."))
        #expect(try host.tool("lwkctl", "-c", "lwkcpus=1.6-7 lwkmem=0:256M").exitStatus == 0)
        #expect(try run(host, "yod", "--cpus", "6-7", "--mem", "all", "/bin/echo", "y").stdout == "y\n")
        #expect(try run(host, "yod", "--cpus", "3", "--mem", "all", "/bin/echo", "y").status == 234)
    }

    @Test func rebootForgetsEverythingTheKernelHeld() throws {
        let host = try SimHost()
        _ = try host.ihk.create(EnclaveRequest(name: "lwk0", cpus: CPUSet(2...3), memory: [mib(512)], image: try host.image()))
        _ = try host.pisces.create(
            EnclaveRequest(name: "kit", cpus: CPUSet(6...7), memory: [MemoryChunk(node: 1, bytes: 128 << 20)], image: try host.kittenImage()))
        #expect(!host.onlineCPUs().contains(2) && !host.onlineCPUs().contains(6))
        #expect(host.hotplug.memoryBlocks().contains { !$0.online })
        let pools = [
            "/sys/devices/system/node/node0/hugepages/hugepages-2048kB", "/sys/devices/system/node/node1/hugepages/hugepages-1048576kB",
        ]
        for dir in pools {
            try FileManager.default.createDirectory(atPath: host.root + dir, withIntermediateDirectories: true)
            try host.write(dir + "/nr_hugepages", "16\n")
            try host.write(dir + "/free_hugepages", "12\n")
        }

        let r = try host.sim(["reboot", "--root", host.root])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(host.onlineCPUs() == CPUSet(0...7))
        #expect(host.hotplug.memoryBlocks().allSatisfy { $0.online })
        for dir in pools {
            #expect(host.read(dir + "/nr_hugepages") == "0\n")
            #expect(host.read(dir + "/free_hugepages") == "0\n")
        }
        #expect(try host.tool("ihkconfig", "0", "query", "cpu").stdout == "\n")
        #expect(try host.tool("ihkconfig", "0", "query", "mem").stdout == "\n")
        #expect(try host.tool("ihkconfig", "0", "get", "os_instances").stdout == "\n")
        #expect(!FileManager.default.fileExists(atPath: host.root + "/dev/mcos0"))
        #expect(!FileManager.default.fileExists(atPath: host.root + "/proc/pisces/enclave-0"))
        #expect(try run(host, "mcexec", "0", "/bin/echo", "hi").status == 1)
        // The tools and their configuration survive.
        #expect(FileManager.default.fileExists(atPath: host.tools + "/sosplan-sim.json"))
        #expect(try host.tool("ihkconfig", "0", "reserve", "cpu", "2").exitStatus == 0)
    }
}
