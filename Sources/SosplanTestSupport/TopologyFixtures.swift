import Foundation

/// The real `/sys` + `/proc` snapshots under `Tests/Fixtures/Topologies`,
/// unpacked once per test process into a temporary directory.
public enum TopologyFixtures {
    public struct Fixture: Sendable {
        /// Archive name without `.tar.bz2` (e.g. `16em64t-4s2c2t-offlines`).
        public var name: String
        /// The unpacked root (point `--root` here).
        public var root: URL
        /// hwloc's `lstopo` output for it, when the collection has one.
        public var console: String?
    }

    /// Every archive name, sorted.
    public static var allNames: [String] {
        let fm = FileManager.default
        var names: [String] = []
        for dir in [RepositoryPaths.topologies, RepositoryPaths.topologies.appendingPathComponent("hwloc-linux")] {
            for f in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where f.hasSuffix(".tar.bz2") {
                names.append(String(f.dropLast(".tar.bz2".count)))
            }
        }
        return names.sorted()
    }

    private static let cache = FixtureCache()

    public static func load(_ name: String) throws -> Fixture {
        try cache.fixture(name)
    }

    static func archive(_ name: String) -> URL? {
        for dir in [RepositoryPaths.topologies.appendingPathComponent("hwloc-linux"), RepositoryPaths.topologies] {
            let url = dir.appendingPathComponent(name + ".tar.bz2")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

final class FixtureCache: @unchecked Sendable {
    private let lock = NSLock()
    private var unpacked: [String: TopologyFixtures.Fixture] = [:]
    private let base: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sosplan-fixtures-\(getpid())", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func fixture(_ name: String) throws -> TopologyFixtures.Fixture {
        lock.lock()
        defer { lock.unlock() }
        if let f = unpacked[name] { return f }
        guard let archive = TopologyFixtures.archive(name) else {
            throw FixtureError(description: "no fixture archive named \(name)")
        }
        let dest = base.appendingPathComponent(name, isDirectory: true)
        try? FileManager.default.removeItem(at: dest)
        try FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        let tar = try CommandRunner.run(
            URL(fileURLWithPath: "/bin/tar"), ["xjf", archive.path, "-C", dest.path])
        guard tar.status == 0 else { throw FixtureError(description: "tar failed for \(name): \(tar.stderr)") }
        // The archive holds one top folder, not always named like the archive.
        let tops = try FileManager.default.contentsOfDirectory(atPath: dest.path)
        guard tops.count == 1 else { throw FixtureError(description: "\(name): expected one top folder, found \(tops)") }
        let consoleURL = archive.deletingLastPathComponent().appendingPathComponent(name + ".console")
        let fixture = TopologyFixtures.Fixture(
            name: name, root: dest.appendingPathComponent(tops[0]),
            console: try? String(contentsOf: consoleURL, encoding: .utf8))
        unpacked[name] = fixture
        return fixture
    }
}
