import SosplanCore
import SosplanTestSupport
import Testing

/// The units and the udev rule `sosplan install` writes: golden files for a
/// typical host, and hostile paths that must be escaped or refused.
@Suite struct InstallFilesTests {
    static let typical = InstallFiles.Settings(
        binary: "/usr/local/bin/sosplan", layout: "/etc/sosplan/host.yaml",
        reconcileArguments: ["--state-dir", "/var/lib/sosplan"])

    @Test(arguments: [InstallFiles.serviceName, InstallFiles.pathUnitName, InstallFiles.udevRuleName])
    func renderedFilesMatchTheirGoldens(name: String) throws {
        let files = try InstallFiles.render(Self.typical)
        #expect(files.map(\.name) == [InstallFiles.serviceName, InstallFiles.pathUnitName, InstallFiles.udevRuleName])
        let file = try #require(files.first { $0.name == name })
        let outcome = Golden.check(file.text, against: RepositoryPaths.tests.appendingPathComponent("Goldens/Install/\(name)"))
        #expect(outcome.isMatch, "\(outcome.message)")
    }

    @Test func theServiceRunsReconcileWithTheForwardedOptionsAndTheLayoutLast() throws {
        let s = InstallFiles.Settings(
            binary: "/opt/sosplan/bin/sosplan", layout: "/etc/sosplan/cn.yaml",
            reconcileArguments: ["--state-dir", "/var/lib/sosplan", "--root", "/srv/sandbox/root", "--systemd-bus", "unix:path=/run/lab/bus"])
        let text = try InstallFiles.service(s)
        #expect(text.contains(
            "\nExecStart=/opt/sosplan/bin/sosplan reconcile --state-dir /var/lib/sosplan --root /srv/sandbox/root --systemd-bus unix:path=/run/lab/bus /etc/sosplan/cn.yaml\n"))
        #expect(text.contains("\nType=oneshot\n"))
        #expect(text.contains("\nWantedBy=multi-user.target\n"))
        #expect(!text.contains("/bin/sh"))
    }

    @Test func percentDollarSpacesQuotesAndBackslashesAreEscapedForSystemd() throws {
        let s = InstallFiles.Settings(
            binary: "/opt/my tools/sosplan", layout: "/etc/sos plan/100%/$HOME/\"q\"/a\\b.yaml",
            reconcileArguments: ["--state-dir", "/var/lib/sos;plan", "--metrics", "/var/lib/node exporter/sosplan.prom"])
        let service = try InstallFiles.service(s)
        let exec = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        #expect(exec == #"ExecStart="/opt/my tools/sosplan" reconcile --state-dir "/var/lib/sos;plan" --metrics "/var/lib/node exporter/sosplan.prom" "/etc/sos plan/100%%/$$HOME/\"q\"/a\\b.yaml""#)
        // PathChanged= takes the rest of the line as the path: only specifiers are expanded.
        let path = try InstallFiles.pathUnit(s)
        #expect(path.contains("\nPathChanged=/etc/sos plan/100%%/$HOME/\"q\"/a\\b.yaml\n"))
    }

    @Test func aLoneSemicolonIsQuotedSoItIsNotACommandSeparator() throws {
        #expect(try UnitFileQuoting.execWord(";", field: "f") == "\";\"")
        #expect(try UnitFileQuoting.execWord("", field: "f") == "\"\"")
        #expect(try UnitFileQuoting.execWord("--state-dir", field: "f") == "--state-dir")
    }

    @Test(arguments: [
        ("/etc/sosplan/host\n.yaml", "newline"),
        ("/etc/sosplan/host\r.yaml", "carriage return"),
        ("/etc/sosplan/ho\u{0}st.yaml", "NUL"),
        ("/etc/sosplan/host\u{2028}.yaml", "control character"),
        ("/etc/sosplan/\u{1B}[31mhost.yaml", "control character"),
        ("etc/sosplan/host.yaml", "absolute"),
        ("/etc//sosplan/host.yaml", "normalized"),
        ("/etc/sosplan/../host.yaml", "normalized"),
        ("/etc/sosplan/", "normalized"),
    ])
    func hostileLayoutPathsAreRefused(layout: String, reason: String) throws {
        var s = Self.typical
        s.layout = layout
        #expect {
            _ = try InstallFiles.render(s)
        } throws: { error in
            guard let r = error as? UnitFileQuoting.Refusal else { return false }
            // The message shows the value on one line.
            return r.field == "--layout" && r.reason.contains(reason) && !r.description.contains("\n")
        }
    }

    @Test func aBinaryPathSystemdWouldNotRunAsIsIsRefused() {
        for binary in ["sosplan", "/usr/bin/sos\nplan", "-/usr/bin/sosplan", "/opt/\"q\"/sosplan", "/opt/it's/sosplan",
                       "/opt/a\\b/sosplan", "/opt/$HOME/sosplan"] {
            var s = Self.typical
            s.binary = binary
            #expect(throws: UnitFileQuoting.Refusal.self, "\(binary)") { _ = try InstallFiles.service(s) }
        }
    }

    @Test func aTrailingBackslashOrSpaceInThePathUnitIsRefused() {
        for layout in ["/etc/sosplan/host.yaml\\", "/etc/sosplan/host.yaml "] {
            var s = Self.typical
            s.layout = layout
            #expect(throws: UnitFileQuoting.Refusal.self, "\(layout)") { _ = try InstallFiles.pathUnit(s) }
        }
    }

    @Test func aForwardedArgumentWithANewlineIsRefused() {
        var s = Self.typical
        s.reconcileArguments = ["--systemd-bus", "unix:path=/run/bus\nExecStartPre=/bin/evil"]
        #expect(throws: UnitFileQuoting.Refusal.self) { _ = try InstallFiles.service(s) }
    }

    @Test func theUdevRuleTakesOnlyAPlainAbsoluteSystemctl() throws {
        var s = Self.typical
        s.systemctl = "/usr/bin/systemctl"
        #expect(try InstallFiles.udevRule(s).contains(#"RUN+="/usr/bin/systemctl --no-block start sosplan-reconcile.service""#))
        for bad in ["systemctl", "/usr/bin/system ctl", "/usr/bin/\"systemctl", "/usr/bin/$ctl", "/usr/bin/%k"] {
            s.systemctl = bad
            #expect(throws: UnitFileQuoting.Refusal.self, "\(bad)") { _ = try InstallFiles.udevRule(s) }
        }
    }
}
