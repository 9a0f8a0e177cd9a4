import Foundation

/// The installed hwloc `lstopo-no-graphics` (Debian's hwloc-nox), run on a
/// snapshot folder as hwloc's own test suite runs it
/// (tests/hwloc/linux/test-topology.sh.in of hwloc 2.9.0): the folder is
/// `HWLOC_FSROOT` and only the `linux` component reads it, so nothing of
/// this machine (its CPUID, its PCI bus) mixes in.
public enum Lstopo {
    public static let executable: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let url = URL(fileURLWithPath: dir).appendingPathComponent("lstopo-no-graphics")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }()

    public static var unavailableReason: String? {
        executable == nil ? "lstopo-no-graphics is not installed (apt-get install hwloc-nox)" : nil
    }
    public static var isAvailable: Bool { executable != nil }

    /// What `lstopo-no-graphics -v -` prints for the snapshot under `root`
    /// (`LstopoConsole` reads it), with `variables` set (a machine's
    /// `TopologyFixtures.lstopoEnvironment`).
    public static func console(root: URL, variables: [String: String] = [:]) throws -> String {
        guard let executable else { throw FixtureError(description: unavailableReason ?? "") }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HWLOC_") }
        environment["HWLOC_FSROOT"] = root.path
        environment["HWLOC_COMPONENTS"] = "linux,stop"
        environment["HWLOC_DONT_ADD_VERSION_INFO"] = "1"
        environment["LC_ALL"] = "C"
        environment.merge(variables) { $1 }
        let r = try CommandRunner.run(executable, ["-v", "-"], replacingEnvironment: environment)
        guard r.status == 0 else {
            throw FixtureError(description: "lstopo-no-graphics on \(root.path) exited \(r.status): \(r.stderr)")
        }
        return r.stdout
    }
}
