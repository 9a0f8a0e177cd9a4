import Foundation

/// Locations inside the repository, found from this file's path so tests
/// run from a fresh clone without installed resources.
public enum RepositoryPaths {
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        // Sources/SosplanTestSupport/RepositoryPaths.swift -> repository root
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static var examples: URL { root.appendingPathComponent("Examples") }
    public static var schemas: URL { root.appendingPathComponent("Schemas") }
    public static var tests: URL { root.appendingPathComponent("Tests") }
    public static var fixtures: URL { tests.appendingPathComponent("Fixtures") }
    public static var topologies: URL { fixtures.appendingPathComponent("Topologies") }
    public static var scripts: URL { root.appendingPathComponent("scripts") }

    /// The read-only shared folder beside the checkout (`../shared`: real
    /// machines' snapshots, research); `SOSPLAN_SHARED_DIR` names another.
    /// Nothing of it is copied into the repository.
    public static var shared: URL {
        if let dir = ProcessInfo.processInfo.environment["SOSPLAN_SHARED_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        return root.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
    }

    /// The directory holding the built products (`sosplan`, `sosplan-sim`).
    public static var productsDirectory: URL {
        if let override = ProcessInfo.processInfo.environment["SOSPLAN_PRODUCTS_DIR"] {
            return URL(fileURLWithPath: override)
        }
        // The test bundle lives in the products directory (Linux: a plain executable).
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("sosplan").path) {
            dir.deleteLastPathComponent()
        }
        return dir
    }

    public static func product(_ name: String) -> URL { productsDirectory.appendingPathComponent(name) }
}
