import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `installed.json` decides what `--uninstall` removes, and root runs it:
/// whatever the manifest says, only sosplan's own files in the places
/// install writes to are removed; a damaged manifest or a state directory
/// that is a link is refused before anything changes.
@Suite struct InstallConfinementTests {
    typealias Host = InstallCommandTests.Host

    /// The manifest with `extra` entries (path, content hash of the file there now).
    func addToManifest(_ host: Host, _ extra: [URL]) throws {
        var manifest = try InstallManifest.decode(json: String(contentsOf: host.manifest, encoding: .utf8)).get()
        for url in extra {
            manifest.files.append(.init(path: url.path, sha256: SHA256.hex([UInt8](try Data(contentsOf: url)))))
        }
        try Data(JSONWriter.pretty(manifest.jsonValue()).utf8).write(to: host.manifest)
    }

    @Test func uninstallRemovesNothingOutsideThePlacesInstallWritesTo() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        #expect(try host.install().status == 0)
        let precious = host.scratch.path("etc/passwd")
        try "root:x:0:0::/root:/bin/bash\n".write(to: precious, atomically: true, encoding: .utf8)
        // A bystander in the unit directory, and a file elsewhere, each recorded with its true hash.
        try addToManifest(host, [host.bystanders[0], precious])
        let before = host.files()
        for extra in [[], ["--force"]] {
            let r = try host.uninstall(extra)
            #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("\(precious.path) is not a file sosplan install writes in the places given; never removed"), "\(r.stderr)")
            #expect(r.stderr.contains("\(host.bystanders[0].path) is not a file sosplan install writes"), "\(r.stderr)")
            #expect(r.stderr.contains("hint: nothing was removed; give the directories install used"), "\(r.stderr)")
            #expect(host.files() == before, "nothing is removed")
        }
        let dry = try host.uninstall(["--dry-run"])
        #expect(dry.stdout.contains("refuses: \(precious.path) is not a file sosplan install writes"), "\(dry.stdout)")
        #expect(!dry.stdout.contains("would remove \(precious.path)"))
    }

    @Test func anEarlierInstallsFileOutsideThePlacesIsLeftNotRemoved() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        #expect(try host.install().status == 0)
        let precious = host.scratch.path("etc/shadow")
        try "root:*:19000::::::\n".write(to: precious, atomically: true, encoding: .utf8)
        try addToManifest(host, [precious])
        let r = try host.install()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: left \(precious.path): an earlier install recorded it"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: precious.path))
        #expect(try !host.manifestEntries().map(\.path).contains(precious.path), "no longer recorded")
    }

    @Test func aDamagedManifestIsRefusedNamingIt() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        try FileManager.default.createDirectory(at: host.state, withIntermediateDirectories: true)
        #expect(mkfifo(host.manifest.path, 0o600) == 0)
        for r in [try host.install(), try host.uninstall()] {
            #expect(r.status == 1 && !r.signaled)
            #expect(r.stderr.contains("error: \(host.manifest.path) is damaged: it is a FIFO (named pipe), not a regular file"), "\(r.stderr)")
            #expect(r.stderr.contains("hint: sosplan install records what it wrote there; move the file aside"), "\(r.stderr)")
        }
        #expect(host.files() == InstallCommandTests.bystanderNames.union(["state/installed.json"]))
    }

    @Test func aStateDirectoryThatIsALinkIsRefusedBeforeAnythingIsWritten() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let elsewhere = host.scratch.path("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: host.state, withDestinationURL: elsewhere)
        let r = try host.install()
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: refusing the state directory \(host.state.path): it is a symbolic link"), "\(r.stderr)")
        #expect(host.files() == InstallCommandTests.bystanderNames, "no unit, rule or manifest written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }
}
