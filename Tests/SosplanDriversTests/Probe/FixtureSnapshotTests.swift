import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// The snapshots under Tests/Fixtures/Snapshots (what Core's planner tests
/// plan against: sosplan's own observations) are exactly what the probe
/// reads from the machines they were observed on: hwloc 2.9.0's, from
/// Debian's source package (`scripts/fixtures`); the ones hwloc added later,
/// from the shared folder; the project's own VMs. SOSPLAN_RECORD=1 rewrites
/// them after a probe change.
@Suite struct FixtureSnapshotTests {
    @Test(.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")"), arguments: TopologyFixtures.hwlocNames)
    func snapshotMatchesTheProbe(_ name: String) throws {
        try Self.check(name)
    }

    @Test(.enabled(if: TopologyFixtures.laterAvailable, "\(TopologyFixtures.laterUnavailableReason ?? "")"), arguments: TopologyFixtures.laterNames)
    func snapshotOfALaterMachineMatchesTheProbe(_ name: String) throws {
        try Self.check(name)
    }

    @Test(arguments: TopologyFixtures.repositoryNames)
    func snapshotOfOurMachineMatchesTheProbe(_ name: String) throws {
        try Self.check(name)
    }

    /// Every snapshot file belongs to a machine the tests know (a renamed or
    /// dropped machine leaves none behind).
    @Test func everySnapshotHasItsMachine() throws {
        let dir = RepositoryPaths.fixtures.appendingPathComponent("Snapshots")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(TopologyFixtures.allNames))
    }

    static func check(_ name: String) throws {
        let root = try TopologyFixtures.load(name).root.path
        let snapshot = try HostObserver(topology: SysfsTopologyProbe(root: root)).observe()
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/\(name).json")
        let outcome = Golden.check(snapshot.jsonText(), against: url)
        #expect(outcome.isMatch, "\(outcome.message)")
    }
}
