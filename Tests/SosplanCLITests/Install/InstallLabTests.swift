import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan install` in a sandbox: the units go into the lab systemd's unit
/// directory and are enabled over its bus, and the lab's path unit then
/// runs `sosplan reconcile` (the binary in .build) when the layout changes.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct InstallLabTests {
    static func layout(cpus: Int) -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: install-lab}
        spec:
          services:
            - name: io-forward
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: \(cpus), numa: 0}

        """
    }

    static func lastReconcile(_ sandbox: Sandbox) -> ReconcileRecord? {
        guard let text = try? String(contentsOf: sandbox.stateDirectory.appendingPathComponent(ReconcileRecord.fileName), encoding: .utf8)
        else { return nil }
        return ReconcileRecord.decode(json: text)
    }

    @Test func aLayoutEditIsAppliedByThePathUnitAndAnInvalidEditChangesNothing() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let dir = sandbox.directory.appendingPathComponent("install")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let layout = dir.appendingPathComponent("host.yaml")
        try Self.layout(cpus: 2).write(to: layout, atomically: true, encoding: .utf8)
        let places = ["--udev-dir", dir.appendingPathComponent("udev").path, "--completions-dir", dir.appendingPathComponent("completions").path,
                      "--man-dir", dir.appendingPathComponent("man1").path]

        let installed = try sandbox.sosplan(["install", "--layout", layout.path] + places)
        #expect(installed.status == 0, "\(installed.stdout)\(installed.stderr)")
        // Enabled as systemctl enable would: wanted at boot, the path unit watching now.
        let units = sandbox.unitDirectory
        #expect(Self.link(units, "multi-user.target.wants/sosplan-reconcile.service") == "/etc/systemd/system/sosplan-reconcile.service")
        #expect(Self.link(units, "paths.target.wants/sosplan-reconcile.path") == "/etc/systemd/system/sosplan-reconcile.path")
        let active = try sandbox.lab(["systemctl", "is-active", "sosplan-reconcile.path"])
        #expect(active.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "active", "\(active.stdout)\(active.stderr)")

        // What boot does: the service applies the layout (the lab's environment has no SOSPLAN_*:
        // the host options come from the unit's ExecStart).
        let boot = try sandbox.lab(["systemctl", "start", "sosplan-reconcile.service"])
        #expect(boot.status == 0, "\(boot.stderr)\(console(sandbox))")
        let first = try #require(Self.lastReconcile(sandbox))
        #expect(first.result == .converged, "\(first)")
        #expect(try sandbox.sosplan(["plan", layout.path]).status == 0)

        // An edit: the path unit starts the service, which applies it.
        try Self.layout(cpus: 4).write(to: layout, atomically: true, encoding: .utf8)
        try ApplyFixture.wait("the path unit's reconcile of the edit") {
            guard let r = Self.lastReconcile(sandbox) else { return false }
            return r.at != first.at && r.result != .noChanges
        }
        let edited = try #require(Self.lastReconcile(sandbox))
        #expect(edited.result == .converged, "\(edited)\n\(console(sandbox))")
        #expect(edited.trigger == "layout")
        #expect(try sandbox.sosplan(["plan", layout.path]).status == 0, "the edit is in force")
        let old = dir.appendingPathComponent("old.yaml")
        try Self.layout(cpus: 2).write(to: old, atomically: true, encoding: .utf8)
        #expect(try sandbox.sosplan(["plan", old.path]).status == 2, "the old layout no longer is")

        // A syntax error: logged with line and column, nothing changes.
        let before = try sandbox.snapshot(units: ApplyFixture.units + ["sosplan-io-forward.service"])
        try (Self.layout(cpus: 4) + "    - name: [broken\n").write(to: layout, atomically: true, encoding: .utf8)
        try ApplyFixture.wait("the reconcile of the broken layout") { Self.lastReconcile(sandbox)?.result == .invalidLayout }
        let broken = try #require(Self.lastReconcile(sandbox))
        #expect(broken.message?.contains("does not validate") == true, "\(broken)")
        let log = console(sandbox)
        #expect(log.contains("\(layout.path):10:"), "\(log)")
        // The one change: the reconcile unit failed (exit 1), which `systemctl status` shows.
        let differences = try ApplyFixture.differences(sandbox, from: before)
        #expect(differences.filter { !$0.hasPrefix("sosplan-reconcile.service: ") } == [], "\(differences)\n\(console(sandbox))")
        let failed = try sandbox.lab(["systemctl", "is-failed", "sosplan-reconcile.service"])
        #expect(failed.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "failed", "\(failed.stdout)")

        // Uninstall: units stopped, disabled and gone, the rest of the unit directory kept.
        let removed = try sandbox.sosplan(["install", "--uninstall"] + places)
        #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
        for name in ["sosplan-reconcile.service", "sosplan-reconcile.path", "multi-user.target.wants/sosplan-reconcile.service",
                     "paths.target.wants/sosplan-reconcile.path"] {
            var st = stat()
            #expect(lstat(units.appendingPathComponent(name).path, &st) != 0, "\(name) is still there")
        }
        #expect(FileManager.default.fileExists(atPath: units.appendingPathComponent("slurmd.service").path))
        let inactive = try sandbox.lab(["systemctl", "is-active", "sosplan-reconcile.path"])
        #expect(inactive.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "inactive", "\(inactive.stdout)")
    }

    /// Where the symbolic link `relative` under `dir` points (nil: no link;
    /// the lab's links name paths inside its namespace).
    static func link(_ dir: URL, _ relative: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: dir.appendingPathComponent(relative).path)
    }

    /// The lab's console: units' output goes there (no journald in the lab).
    func console(_ sandbox: Sandbox) -> String {
        let text = (try? String(contentsOf: sandbox.directory.appendingPathComponent("lab/console.log"), encoding: .utf8)) ?? ""
        return text.replacingOccurrences(of: "\r", with: "")
    }
}
