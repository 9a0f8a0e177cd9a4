import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// The snapshots under Tests/Fixtures/Snapshots (what Core's planner tests
/// plan against) are exactly what the probe reads from the fixture archives;
/// SOSPLAN_RECORD=1 rewrites them after a probe change.
@Suite struct FixtureSnapshotTests {
    @Test(arguments: TopologyFixtures.allNames)
    func snapshotMatchesTheProbe(_ name: String) throws {
        let root = try TopologyFixtures.load(name).root.path
        let snapshot = try HostObserver(topology: SysfsTopologyProbe(root: root)).observe()
        let url = RepositoryPaths.fixtures.appendingPathComponent("Snapshots/\(name).json")
        let outcome = Golden.check(snapshot.jsonText(), against: url)
        #expect(outcome.isMatch, "\(outcome.message)")
    }
}
