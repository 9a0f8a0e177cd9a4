import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan install` into temporary directories (--no-enable: no systemd
/// here): what it writes and records, and that --uninstall removes exactly
/// that.
@Suite struct InstallCommandTests {
    /// A scratch "host": unit, udev, completion, man and state directories,
    /// each already holding a file that is not sosplan's.
    struct Host {
        let scratch: ScratchDirectory
        var layout: String { scratch.path("etc/host.yaml").path }
        var units: URL { scratch.path("units") }
        var udev: URL { scratch.path("udev") }
        var completions: URL { scratch.path("completions") }
        var man: URL { scratch.path("man1") }
        var state: URL { scratch.path("state") }
        var manifest: URL { state.appendingPathComponent("installed.json") }
        /// Files that were there before and must stay.
        var bystanders: [URL] {
            [units.appendingPathComponent("slurmd.service"), udev.appendingPathComponent("60-other.rules"),
             completions.appendingPathComponent("git"), man.appendingPathComponent("ls.1")]
        }

        init() throws {
            scratch = try ScratchDirectory("install")
            try ScratchDirectory.write(
                try String(contentsOf: RepositoryPaths.examples.appendingPathComponent("quickstart.yaml"), encoding: .utf8),
                to: "etc/host.yaml", in: scratch.url)
            for f in bystanders {
                try FileManager.default.createDirectory(at: f.deletingLastPathComponent(), withIntermediateDirectories: true)
                try "not sosplan's \(f.lastPathComponent)\n".write(to: f, atomically: true, encoding: .utf8)
            }
        }

        var directoryOptions: [String] {
            ["--unit-dir", units.path, "--udev-dir", udev.path, "--completions-dir", completions.path, "--man-dir", man.path,
             "--state-dir", state.path, "--binary", RepositoryPaths.product("sosplan").path]
        }

        func install(_ extra: [String] = []) throws -> CommandResult {
            try CommandRunner.sosplan(["install", "--layout", layout, "--no-enable"] + directoryOptions + extra)
        }

        func uninstall(_ extra: [String] = []) throws -> CommandResult {
            try CommandRunner.sosplan(["install", "--uninstall", "--no-enable"] + directoryOptions + extra)
        }

        /// Every file under the scratch directory but the layout, relative.
        func files() -> Set<String> {
            var out = Set<String>()
            let base = scratch.url.resolvingSymlinksInPath().path
            for case let url as URL in FileManager.default.enumerator(at: scratch.url, includingPropertiesForKeys: nil) ?? .init() {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue {
                    out.insert(String(url.resolvingSymlinksInPath().path.dropFirst(base.count + 1)))
                }
            }
            out.remove("etc/host.yaml")
            return out
        }

        func manifestEntries() throws -> [InstallManifest.Entry] {
            try InstallManifest.decode(json: String(contentsOf: manifest, encoding: .utf8)).get().files
        }
    }

    static let installed: Set<String> = [
        "units/sosplan-reconcile.service", "units/sosplan-reconcile.path", "udev/90-sosplan.rules",
        "completions/sosplan", "completions/_sosplan", "completions/sosplan.fish", "man1/sosplan.1",
    ]
    static let bystanderNames: Set<String> = ["units/slurmd.service", "udev/60-other.rules", "completions/git", "man1/ls.1"]

    @Test func installWritesAndRecordsEachFileAndUninstallRemovesExactlyThose() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let r = try host.install()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(host.files() == Self.installed.union(Self.bystanderNames).union(["state/installed.json"]))

        // The manifest names every written file with the SHA-256 of its content.
        let entries = try host.manifestEntries()
        #expect(Set(entries.map { String($0.path.dropFirst(host.scratch.url.path.count + 1)) }) == Self.installed)
        for e in entries {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: e.path))
            #expect(e.sha256 == SHA256.hex([UInt8](bytes)), "\(e.path)")
        }
        // The service runs this sosplan on this layout with this state directory.
        let service = try String(contentsOf: host.units.appendingPathComponent("sosplan-reconcile.service"), encoding: .utf8)
        #expect(service.contains(
            "ExecStart=\(RepositoryPaths.product("sosplan").path) reconcile --state-dir \(host.state.path) --unit-dir \(host.units.path) \(host.layout)\n"),
            "\(service)")
        let pathUnit = try String(contentsOf: host.units.appendingPathComponent("sosplan-reconcile.path"), encoding: .utf8)
        #expect(pathUnit.contains("PathChanged=\(host.layout)\n"))
        let bash = try String(contentsOf: host.completions.appendingPathComponent("sosplan"), encoding: .utf8)
        #expect(bash.contains("complete") && bash.contains("install"))
        let man = try String(contentsOf: host.man.appendingPathComponent("sosplan.1"), encoding: .utf8)
        #expect(man.contains(".SS \"sosplan install\""))

        // Installing again changes nothing.
        let again = try host.install()
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("wrote "), "\(again.stdout)")
        #expect(again.stdout.contains("unchanged \(host.units.path)/sosplan-reconcile.service"))

        let u = try host.uninstall()
        #expect(u.status == 0, "\(u.stdout)\(u.stderr)")
        #expect(host.files() == Self.bystanderNames)
        for f in host.bystanders {
            #expect(try String(contentsOf: f, encoding: .utf8) == "not sosplan's \(f.lastPathComponent)\n")
        }
        // A second uninstall has nothing to do.
        let none = try host.uninstall()
        #expect(none.status == 0)
        #expect(none.stdout.contains("nothing to uninstall"))
    }

    @Test func aFileEditedSinceInstallIsNotRemovedWithoutForce() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        #expect(try host.install().status == 0)
        let rule = host.udev.appendingPathComponent("90-sosplan.rules")
        try "# my own rule now\n".write(to: rule, atomically: true, encoding: .utf8)

        let refused = try host.uninstall()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(rule.path) was edited since sosplan installed it"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was removed"))
        #expect(host.files() == Self.installed.union(Self.bystanderNames).union(["state/installed.json"]))

        let dry = try host.uninstall(["--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("refuses: \(rule.path)"))

        let forced = try host.uninstall(["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(host.files() == Self.bystanderNames)
    }

    @Test func aFileSosplanDidNotWriteIsNotReplacedWithoutForce() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let theirs = host.completions.appendingPathComponent("sosplan")
        try "# a packaged completion\n".write(to: theirs, atomically: true, encoding: .utf8)
        let refused = try host.install()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(theirs.path) exists and was not written by sosplan install"), "\(refused.stderr)")
        // Nothing at all was written.
        #expect(host.files() == Self.bystanderNames.union(["completions/sosplan"]))

        let forced = try host.install(["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOf: theirs, encoding: .utf8) != "# a packaged completion\n")
    }

    @Test func dryRunPrintsEveryFileAndChangesNothing() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let r = try host.install(["--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in Self.installed {
            #expect(r.stdout.contains("# \(host.scratch.url.path)/\(name)\n"), "\(name)")
        }
        #expect(r.stdout.contains("[Service]\nType=oneshot\n"))
        #expect(r.stdout.contains(#"SUBSYSTEM=="memory", ACTION=="online|offline""#))
        #expect(host.files() == Self.bystanderNames)
    }

    @Test func anInvalidLayoutIsRefusedWithItsLineAndColumn() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        try "apiVersion: sosplan/v1\nkind: HostLayout\nspec:\n  services:\n    - name: x\n      cpus: lots\n"
            .write(to: URL(fileURLWithPath: host.layout), atomically: true, encoding: .utf8)
        let r = try host.install()
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(host.layout):6:"), "\(r.stderr)")
        #expect(host.files() == Self.bystanderNames)

        try FileManager.default.removeItem(atPath: host.layout)
        let missing = try host.install()
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("No such file or directory"), "\(missing.stderr)")
        #expect(host.files() == Self.bystanderNames)
    }

    @Test func aLayoutPathWithANewlineIsRefusedBeforeAnythingIsWritten() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let hostile = host.scratch.path("etc/host\nExecStartPre=evil.yaml")
        try FileManager.default.copyItem(atPath: host.layout, toPath: hostile.path)
        let r = try CommandRunner.sosplan(["install", "--layout", hostile.path, "--no-enable"] + host.directoryOptions)
        #expect(r.status == 1)
        #expect(r.stderr.contains("contains a newline"), "\(r.stderr)")
        #expect(host.files() == Self.bystanderNames.union(["etc/host\nExecStartPre=evil.yaml"]))
    }

    @Test func aLayoutPathWithSpacesPercentAndDollarIsEscapedInTheUnits() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let odd = host.scratch.path("etc/my layouts/100%/$HOST.yaml")
        try FileManager.default.createDirectory(at: odd.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: host.layout, toPath: odd.path)
        let r = try CommandRunner.sosplan(["install", "--layout", odd.path, "--no-enable"] + host.directoryOptions)
        #expect(r.status == 0, "\(r.stderr)")
        let escaped = host.scratch.url.path + "/etc/my layouts/100%%/$$HOST.yaml"
        let service = try String(contentsOf: host.units.appendingPathComponent("sosplan-reconcile.service"), encoding: .utf8)
        #expect(service.contains(" \"\(escaped)\"\n"), "\(service)")
        let pathUnit = try String(contentsOf: host.units.appendingPathComponent("sosplan-reconcile.path"), encoding: .utf8)
        #expect(pathUnit.contains("PathChanged=\(host.scratch.url.path)/etc/my layouts/100%%/$HOST.yaml\n"), "\(pathUnit)")
    }

    @Test func theBashCompletionIsValidBash() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        #expect(try host.install().status == 0)
        let check = try CommandRunner.run(URL(fileURLWithPath: "/bin/bash"), ["-n", host.completions.appendingPathComponent("sosplan").path])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/groff"), "groff is not installed"))
    func theManualPageFormatsWithoutWarnings() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        #expect(try host.install().status == 0)
        let r = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/groff"), ["-man", "-Tutf8", "-ww", "-z", host.man.appendingPathComponent("sosplan.1").path])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
    }
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv"))
    func withoutRootOnTheRealHostItRefusesButDryRunWorks() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        // Readable by nobody: the scratch directory and the layout.
        for dir in [host.scratch.url, host.scratch.path("etc")] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: host.layout)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", RepositoryPaths.product("sosplan").path]
        let refused = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/setpriv"), asNobody + ["install", "--layout", host.layout])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs root"), "\(refused.stderr)")
        let dry = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/setpriv"), asNobody + ["install", "--layout", host.layout, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("# /etc/systemd/system/sosplan-reconcile.service\n"))
    }
}
