import Foundation
import SosplanCore
import SosplanTestSupport

/// Snapshots of the real topology fixtures (observed once and checked in
/// under Tests/Fixtures/Snapshots; a Drivers test keeps them equal to what
/// the probe reads from the archives).
enum FixtureSnapshots {
    static func all() -> [(String, HostSnapshot)] {
        let dir = RepositoryPaths.fixtures.appendingPathComponent("Snapshots")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.compactMap { file in
            guard let text = try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8),
                let snapshot = try? HostSnapshot.decode(json: text)
            else { return nil }
            return (String(file.dropLast(5)), snapshot)
        }
    }
}
