import Foundation

/// Real machines' `/sys` + `/proc` snapshots, unpacked once per test process.
/// None of hwloc's is in the repository; they come from three places:
/// - `hwlocNames`: hwloc's own test suite (`tests/hwloc/linux`), from
///   Debian's signed hwloc source package, pinned to `hwlocVersion`:
///   `scripts/fixtures` downloads and unpacks it (`hwlocFolder`);
/// - `laterNames`: machines hwloc added after that release, read from
///   `../shared/fixtures/topologies/hwloc-linux` beside the checkout when it
///   is there (`sharedFolder`);
/// - `repositoryNames`: snapshots of the project's own VMs, in
///   `Tests/Fixtures/Topologies`.
/// A test that needs the package or the shared folder is enabled only when it
/// is there (`.enabled(if: TopologyFixtures.isAvailable, "\(TopologyFixtures.unavailableReason ?? "")")`),
/// so a missing download is reported as a skip, never passed silently.
public enum TopologyFixtures {
    public enum Source: Sendable { case repository, hwlocPackage, shared }

    public struct Fixture: Sendable {
        /// Archive name without `.tar.bz2` (e.g. `16em64t-4s2c2t-offlines`).
        public var name: String
        /// The unpacked root (point `--root` here).
        public var root: URL
        /// What hwloc's `lstopo -v` printed for it, when its source has that:
        /// the package's `NAME.output` (hwloc 2.9: exact sizes in KB) or the
        /// shared folder's `NAME.console` (a later lstopo: rounded sizes).
        /// `LstopoConsole` reads both.
        public var console: String?
        /// The lstopo options `console` was printed with, when not plain
        /// `-v` (the package's `NAME.options`, e.g. `--filter all:structure`).
        public var consoleOptions: String?
        public var source: Source
    }

    /// The hwloc release whose test suite the tests use (Debian 12's
    /// source package hwloc 2.9.0-1; `scripts/fixtures` pins the same).
    public static let hwlocVersion = "2.9.0"

    /// hwloc 2.9.0's machines the tests use, named as in that release.
    public static let hwlocNames = [
        "128arm-2pa2n8cluster4co", "128ia64-17n4s2c", "16amd64-4n4c-cgroup-distance-merge", "16amd64-8n2c",
        "16amd64-8n2c-cpusets", "16em64t-4s2c2t", "16em64t-4s2c2t-offlines", "16em64t-4s2ca2c-cpusetreorder",
        "16ia64-8n2s", "20s390-2g6s4c", "256ia64-64n2s2c", "256ppc-8n8s4t", "2arm-2c", "2i386-2c-nohugepage",
        "2i386-2t-hugepagesizecount", "2pa-pcidomain32bits", "2ps3-2t", "32amd64-4s2n4c-cgroup2", "32em64t-2n8c+1mic",
        "32intel64-2p8co2t+8ve", "40intel64-2g2n4c+pci", "40intel64-4n10c+pci-conflicts", "48amd64-4d2n6c-sparse",
        "4fake-4gr1nu1pu", "64amd64-4s2n4ca2co", "64fake-4n2s2ca2c2t", "8em64t-2s2ca2c", "8em64t-2s2ca2c-buggynuma",
        "8em64t-2s4c-heterogeneous", "8ia64-2n2s2c", "8ia64-2s2c2t", "96em64t-4n4d3ca2co",
        "fakecpuid1f-64intel64-2p4d2n2c2t", "fakeheterocpunuma", "fakeheteromemtiers", "fakememinitiators-1np2c+1npp+gi",
        "nvidiagpunumanodes", "offline-cpu0-node0",
    ]

    /// Machines hwloc's test suite gained after 2.9.0 (hybrid cores, memory-
    /// side caches, PCI localities, an NVIDIA GB10), read from the shared folder.
    public static let laterNames = [
        "20em64t-hybrid-1p6c2t+2ca4co1t", "fakepcilocalities", "memorysidecaches", "nvidia-dgx-gb10",
    ]

    /// Snapshots of the project's own VMs, in the repository.
    public static let repositoryNames = ["firecracker-2c-1n", "kvm-16c-1n"]

    /// Every machine, sorted (whether or not its source is there now).
    public static var allNames: [String] { (hwlocNames + laterNames + repositoryNames).sorted() }

    /// The folder holding hwloc's `NAME.tar.bz2` + `NAME.output` files:
    /// `SOSPLAN_HWLOC_FIXTURES`, or where `scripts/fixtures` unpacks them.
    public static var hwlocFolder: URL {
        if let dir = ProcessInfo.processInfo.environment["SOSPLAN_HWLOC_FIXTURES"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        return RepositoryPaths.root.appendingPathComponent(".build/fixtures/hwloc-\(hwlocVersion)/tests/hwloc/linux", isDirectory: true)
    }

    /// The shared folder's copies of hwloc's test machines (`laterNames`).
    public static var sharedFolder: URL {
        RepositoryPaths.shared.appendingPathComponent("fixtures/topologies/hwloc-linux", isDirectory: true)
    }

    /// Why hwloc 2.9.0's machines cannot be read, or nil when they can.
    public static let unavailableReason: String? = missing(hwlocNames, in: hwlocFolder).map {
        "hwloc \(hwlocVersion)'s test topologies are not unpacked (\($0) missing in \(hwlocFolder.path)): "
            + "run scripts/fixtures (it downloads Debian's hwloc source package), or set SOSPLAN_HWLOC_FIXTURES"
    }
    public static var isAvailable: Bool { unavailableReason == nil }

    /// Why the machines of `laterNames` cannot be read, or nil when they can.
    public static let laterUnavailableReason: String? = missing(laterNames, in: sharedFolder).map {
        "the machines hwloc added after \(hwlocVersion) are read from the shared folder beside the checkout: "
            + "\($0) missing in \(sharedFolder.path) (SOSPLAN_SHARED_DIR names another shared folder)"
    }
    public static var laterAvailable: Bool { laterUnavailableReason == nil }

    /// Why `name` cannot be loaded now, or nil when it can.
    public static func unavailableReason(of name: String) -> String? {
        switch source(of: name) {
        case .hwlocPackage?: return unavailableReason
        case .shared?: return laterUnavailableReason
        case .repository?: return nil
        case nil: return "no topology fixture named \(name)"
        }
    }

    public static func source(of name: String) -> Source? {
        if hwlocNames.contains(name) { return .hwlocPackage }
        if laterNames.contains(name) { return .shared }
        if repositoryNames.contains(name) { return .repository }
        return nil
    }

    private static let cache = FixtureCache()

    public static func load(_ name: String) throws -> Fixture {
        try cache.fixture(name)
    }

    /// The archive of `name`, or nil when its source is not there.
    public static func archive(_ name: String) -> URL? {
        let dir: URL
        switch source(of: name) {
        case .hwlocPackage?: dir = hwlocFolder
        case .shared?: dir = sharedFolder
        case .repository?: dir = RepositoryPaths.topologies
        case nil: return nil
        }
        let url = dir.appendingPathComponent(name + ".tar.bz2")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// What lstopo printed for `name` (`Fixture.console`) and with which
    /// options, read without unpacking: hwloc's test suite names it
    /// `NAME.output` (`lstopo -v -`, or the options in `NAME.options`; XML
    /// outputs are not a tree of lines and are left out), the shared folder
    /// `NAME.console`.
    public static func console(of name: String) -> (text: String?, options: String?) {
        guard let dir = archive(name)?.deletingLastPathComponent() else { return (nil, nil) }
        func read(_ file: String) -> String? { try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8) }
        switch source(of: name) {
        case .hwlocPackage?:
            let options = read(name + ".options")?.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let text = read(name + ".output"), !text.hasPrefix("<?xml") else { return (nil, options) }
            return (text, options)
        case .shared?, .repository?, nil:
            return (read(name + ".console"), nil)
        }
    }

    /// The variables hwloc's test suite sets for `name` before running
    /// lstopo on it (`NAME.env`, sourced by test-topology.sh: lines
    /// `VAR=value` and `export VAR`), e.g. to keep overlapping NUMA nodes.
    public static func lstopoEnvironment(of name: String) -> [String: String] {
        guard source(of: name) == .hwlocPackage, let dir = archive(name)?.deletingLastPathComponent(),
            let text = try? String(contentsOf: dir.appendingPathComponent(name + ".env"), encoding: .utf8)
        else { return [:] }
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "="), !line.hasPrefix("export "), !line.hasPrefix("#") else { continue }
            var value = line[line.index(after: eq)...]
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            environment[String(line[..<eq])] = String(value)
        }
        return environment
    }

    /// "NAME.tar.bz2 is" / "N of the archives are", for the names not in `dir`; nil when none is missing.
    static func missing(_ names: [String], in dir: URL) -> String? {
        let absent = names.filter { !FileManager.default.fileExists(atPath: dir.appendingPathComponent($0 + ".tar.bz2").path) }
        if absent.isEmpty { return nil }
        return absent.count == 1 ? "\(absent[0]).tar.bz2 is" : "\(absent.count) of the \(names.count) archives are"
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
        guard let source = TopologyFixtures.source(of: name), let archive = TopologyFixtures.archive(name) else {
            throw FixtureError(description: TopologyFixtures.unavailableReason(of: name) ?? "no archive for \(name)")
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
        let (console, options) = TopologyFixtures.console(of: name)
        let fixture = TopologyFixtures.Fixture(
            name: name, root: dest.appendingPathComponent(tops[0]), console: console, consoleOptions: options, source: source)
        unpacked[name] = fixture
        return fixture
    }
}
