import Foundation
import SosplanDrivers
import SosplanTestSupport
import Testing

/// A driver connected to a lab, and names unique to one test so that tests
/// can share a lab while Swift Testing runs them in parallel.
struct LabContext {
    let lab: SystemdLab
    let driver: SDBusSystemdDriver
    /// Short and unique per context: keeps unit names apart.
    let tag: String

    /// A context on the shared lab (the environment's, or one per process).
    static func shared() throws -> LabContext { try LabContext(lab: SystemdLab.shared()) }

    init(lab: SystemdLab) throws {
        self.lab = lab
        driver = try SDBusSystemdDriver(busAddress: lab.busAddress, unitDirectory: lab.unitDirectory)
        tag = String(UUID().uuidString.prefix(6).lowercased())
    }

    /// `sosplan-<tag>-<base>.slice|service`.
    func name(_ base: String, _ type: String) -> String { "sosplan-\(tag)-\(base).\(type)" }

    /// Writes a unit file sosplan did not create (no marker) into the lab's
    /// unit directory, reloads and starts it with systemctl: the kind of
    /// existing unit a layout moves into a slice.
    @discardableResult
    func foreignService(_ base: String, start: Bool = true) throws -> (name: String, path: URL, text: String) {
        let name = "plain-\(tag)-\(base).service"
        let text = "[Unit]\nDescription=plain sleeper (not sosplan's)\n\n[Service]\nExecStart=/usr/bin/sleep infinity\n"
        let path = lab.unitDirectory.appendingPathComponent(name)
        try text.write(to: path, atomically: true, encoding: .utf8)
        try systemctl("daemon-reload")
        if start { try systemctl("start", name) }
        return (name, path, text)
    }

    @discardableResult
    func systemctl(_ args: String...) throws -> String {
        let r = try lab.run(["systemctl"] + args)
        guard r.status == 0 else { throw SystemdLab.Failure(description: "systemctl \(args.joined(separator: " ")): \(r.stderr)") }
        return r.stdout
    }

    /// `systemctl show -P PROPERTY UNIT`, as an independent reading.
    func show(_ property: String, _ unit: String) throws -> String {
        try systemctl("show", "-P", property, unit).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func file(_ relative: String) -> URL { lab.unitDirectory.appendingPathComponent(relative) }
}

/// Lab tests run only where a real systemd can start (root and namespaces);
/// in CI (root) they always run.
let labAvailable = SystemdLab.isAvailable
let labSkipReason: Comment = Comment(rawValue: SystemdLab.unavailableReason ?? "systemd lab available")
