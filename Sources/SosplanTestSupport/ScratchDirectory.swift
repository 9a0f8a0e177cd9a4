import Foundation

/// A fresh temporary directory for one test, to build modified copies of
/// fixtures (a CPU gone offline, no NUMA directories) or to hold outputs.
public struct ScratchDirectory: Sendable {
    public let url: URL

    public init(_ label: String = "scratch") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("sosplan-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }

    /// Copies a fixture's root into `name` here and returns the copy's root.
    /// `cp -a` keeps the snapshot's symlinks as they are (some point at
    /// `.`, which a recursive copy that follows links would never finish).
    public func copyFixture(_ fixture: String, as name: String? = nil) throws -> URL {
        let source = try TopologyFixtures.load(fixture).root
        let target = path(name ?? fixture)
        let cp = try CommandRunner.run(URL(fileURLWithPath: "/bin/cp"), ["-a", source.path, target.path])
        guard cp.status == 0 else { throw FixtureError(description: "cp failed for \(fixture): \(cp.stderr)") }
        return target
    }

    /// Writes `text` to `relative` below `root`, creating folders.
    public static func write(_ text: String, to relative: String, in root: URL) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    /// Removes `relative` below `root`.
    public static func delete(_ relative: String, in root: URL) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(relative))
    }
}
