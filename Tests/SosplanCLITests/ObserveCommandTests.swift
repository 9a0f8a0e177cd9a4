import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// `sosplan observe` as users run it: the built binary.
@Suite struct ObserveCommandTests {
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"), arguments: TopologyFixtures.hwlocNames)
    func jsonOfEveryFixtureRoundTrips(_ name: String) throws {
        try Self.roundTrip(name)
    }

    @Test(.enabled(if: TopologyFixtures.laterAvailable, "\(TopologyFixtures.laterUnavailableReason ?? "")"), arguments: TopologyFixtures.laterNames)
    func jsonOfEveryLaterMachineRoundTrips(_ name: String) throws {
        try Self.roundTrip(name)
    }

    @Test(arguments: TopologyFixtures.repositoryNames)
    func jsonOfOurMachinesRoundTrips(_ name: String) throws {
        try Self.roundTrip(name)
    }

    static func roundTrip(_ name: String) throws {
        let root = try TopologyFixtures.load(name).root.path
        let result = try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let decoded = try HostSnapshot.decode(json: result.stdout)
        // The same observation made in-process, and the JSON it decodes to, are equal.
        var observer = HostObserver(topology: SysfsTopologyProbe(root: root))
        observer.kernel = LinuxKernelProbe(root: root)
        let expected = try observer.observe()
        #expect(decoded == expected)
        #expect(decoded.jsonText() == result.stdout)
        #expect(decoded.fingerprint == decoded.computeFingerprint())
        #expect(decoded.topology.cpus.count == decoded.topology.presentCPUs.count)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func outputFileHoldsTheSnapshotAndStdoutTheSummary() throws {
        let scratch = try ScratchDirectory("observe-o")
        defer { scratch.remove() }
        let root = try TopologyFixtures.load("8ia64-2s2c2t").root.path
        let file = scratch.path("host.json").path
        let saved = try CommandRunner.sosplan(["observe", "--root", root, "-o", file])
        #expect(saved.status == 0, "\(saved.stderr)")
        let json = try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == json.stdout)
        let text = try CommandRunner.sosplan(["observe", "--root", root])
        #expect(saved.stdout == text.stdout)
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func textSummaryGolden() throws {
        for name in ["8ia64-2s2c2t", "16em64t-4s2c2t-offlines"] {
            let root = try TopologyFixtures.load(name).root.path
            let result = try CommandRunner.sosplan(["observe", "--root", root])
            #expect(result.status == 0, "\(result.stderr)")
            let outcome = Golden.check(result.stdout, against: Self.golden("observe-\(name).txt"))
            #expect(outcome.isMatch, "\(outcome.message)")
        }
    }

    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"))
    func stateDirectoryCarriesTopologyOfOfflineCPUs() throws {
        // A root observed while CPU 5 was online, then again once it is
        // offline, with the same --state-dir: CPU 5 keeps its core.
        let scratch = try ScratchDirectory("observe-cache")
        defer { scratch.remove() }
        let state = scratch.path("state").path
        let root = try scratch.copyFixture("8ia64-2s2c2t")
        #expect(try CommandRunner.sosplan(["observe", "--root", root.path, "--state-dir", state]).status == 0)
        let cpu = "sys/devices/system/cpu"
        try ScratchDirectory.write("0\n", to: "\(cpu)/cpu5/online", in: root)
        try ScratchDirectory.delete("\(cpu)/cpu5/topology", in: root)
        let json = try CommandRunner.sosplan(["observe", "--root", root.path, "--state-dir", state, "--format", "json"])
        let cached = try HostSnapshot.decode(json: json.stdout).topology.cpu(5)
        let plain = try HostSnapshot.decode(
            json: try CommandRunner.sosplan(["observe", "--root", root.path, "--format", "json"]).stdout
        ).topology.cpu(5)
        #expect(cached?.online == false && cached?.package != nil && cached?.core != nil)
        #expect(plain?.online == false && plain?.package == nil)
    }

    @Test func badRootsAreClearErrors() throws {
        let scratch = try ScratchDirectory("observe-errors")
        defer { scratch.remove() }
        let missing = try CommandRunner.sosplan(["observe", "--root", scratch.path("nope").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: cannot read the root"))
        #expect(missing.stderr.contains("hint: "))
        let empty = try CommandRunner.sosplan(["observe", "--root", scratch.url.path])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("has no sys/devices/system/cpu"))
        #expect(empty.stdout.isEmpty)
        let badOutput = try CommandRunner.sosplan([
            "observe", "--root", try TopologyFixtures.load("kvm-16c-1n").root.path, "-o", scratch.path("no/such/dir/x.json").path,
        ])
        #expect(badOutput.status == 1)
        #expect(badOutput.stderr.hasPrefix("error: cannot write the snapshot"))
    }

    @Test func liveMachine() throws {
        let scratch = try ScratchDirectory("observe-live")
        defer { scratch.remove() }
        let result = try LiveCPU.withShared {
            try CommandRunner.sosplan(["observe", "--format", "json", "--state-dir", scratch.path("state").path])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let snapshot = try HostSnapshot.decode(json: result.stdout)
        #expect(snapshot.topology.cpus.count == ProcessInfo.processInfo.processorCount)
        #expect(!snapshot.topology.nodes.isEmpty)
        #expect(!snapshot.warnings.contains { $0.contains("libnuma") }, "sysfs and libnuma agree here")
    }

    static func golden(_ name: String) -> URL {
        RepositoryPaths.tests.appendingPathComponent("Goldens/CLI/\(name)")
    }
}
