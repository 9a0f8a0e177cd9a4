import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Names that come from a host, a snapshot or a file name and hold control
/// characters (a terminal escape that retitles the window, a bell, a
/// newline that forges an `error:` line, a bidirectional override) are
/// shown escaped in every text output, never raw; the SVG stays
/// well-formed XML whatever they hold.
@Suite struct HostileOutputTests {
    static let hostname = "cn01\u{1B}]0;owned\u{07}\nerror: forged\r\u{202E}x"
    static let escapedHostname = "cn01\\e]0;owned\\x07\\nerror: forged\\r\\u{202e}x"
    static let enclaveName = "lwk\u{1B}[2J\u{9B}0"

    /// Every character that must not reach a terminal raw, with where it is.
    static func rawControls(_ text: String, keeping: Set<Unicode.Scalar> = ["\n"]) -> [String] {
        var found: [String] = []
        for (i, c) in text.unicodeScalars.enumerated() where ControlCharacters.isEscaped(c) && !keeping.contains(c) {
            found.append("U+\(String(c.value, radix: 16)) at \(i)")
        }
        return found
    }

    /// The kvm-16c-1n host (in the repository) with a hostile host name and
    /// an enclave whose name holds terminal escapes.
    static func hostileSnapshot() throws -> HostSnapshot {
        let root = try TopologyFixtures.load("kvm-16c-1n").root.path
        var snapshot = try HostSnapshot.decode(
            json: try CommandRunner.sosplan(["observe", "--root", root, "--format", "json"]).stdout)
        snapshot.hostname = hostname
        for i in snapshot.topology.cpus.indices where snapshot.topology.cpus[i].id >= 12 {
            snapshot.topology.cpus[i].online = false
            snapshot.topology.cpus[i].owner = "enclave:\(enclaveName)"
        }
        snapshot.enclaves = [
            EnclaveInstance(
                driver: .mckernel, instance: "0\u{1B}[1A", name: enclaveName, state: "RUNNING\u{07}", cpus: CPUSet(12...15),
                memory: [MemoryChunk(node: 0, bytes: 1 << 30)])
        ]
        snapshot.refreshFingerprint()
        return snapshot
    }

    @Test func observeEscapesAHostNameFromTheHost() throws {
        let scratch = try ScratchDirectory("hostile-output-observe")
        defer { scratch.remove() }
        let root = try scratch.copyFixture("kvm-16c-1n")
        try ScratchDirectory.write(Self.hostname + "\n", to: "proc/sys/kernel/hostname", in: root)
        let r = try CommandRunner.sosplan(["observe", "--root", root.path, "--no-systemd"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.rawControls(r.stdout + r.stderr).isEmpty, "\(Self.rawControls(r.stdout + r.stderr))")
        #expect(r.stdout.contains("host        \(Self.escapedHostname)\n"), "\(r.stdout)")
        #expect(!r.stdout.contains("\nerror: forged"))
        // The JSON keeps the name exactly (JSON has its own escapes).
        let json = try CommandRunner.sosplan(["observe", "--root", root.path, "--no-systemd", "--format", "json"])
        #expect(try HostSnapshot.decode(json: json.stdout).hostname == Self.hostname.trimmingCharacters(in: .whitespaces))
    }

    @Test func showEscapesNamesInTextAndKeepsTheSVGWellFormed() throws {
        let scratch = try ScratchDirectory("hostile-output-show")
        defer { scratch.remove() }
        let file = scratch.path("snapshot.json")
        try Data(try Self.hostileSnapshot().jsonText().utf8).write(to: file)
        let svg = scratch.path("picture.svg")
        let r = try CommandRunner.sosplan(["show", "--snapshot", file.path, "--svg", svg.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.rawControls(r.stdout + r.stderr).isEmpty, "\(Self.rawControls(r.stdout))")
        #expect(r.stdout.contains("host \(Self.escapedHostname), "), "\(r.stdout)")
        #expect(r.stdout.contains("enclave lwk\\e[2J\\u{9b}0"), "\(r.stdout)")
        #expect(!r.stdout.contains("\nerror: forged"))

        let elements = SVGElements()
        let parser = XMLParser(data: try Data(contentsOf: svg))
        parser.delegate = elements
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(elements.root == "svg")
        let owners = Set(elements.elements.compactMap { $0["data-owner"] })
        #expect(owners.contains("enclave lwk\\e[2J\\u{9b}0"), "\(owners)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(Self.rawControls(text).isEmpty)
    }

    /// On a terminal `show` colours the cells itself: its own SGR escapes
    /// are the only escapes in the output; the names' are shown escaped.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func colouredShowOnATerminalCarriesOnlyItsOwnEscapes() throws {
        let scratch = try ScratchDirectory("hostile-output-tty")
        defer { scratch.remove() }
        let file = scratch.path("snapshot.json")
        try Data(try Self.hostileSnapshot().jsonText().utf8).write(to: file)
        let command = "'\(RepositoryPaths.product("sosplan").path)' show --snapshot '\(file.path)'"
        let r = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], replacingEnvironment: ["TERM": "xterm", "PATH": "/usr/bin:/bin"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("\u{1B}[48;5;"), "colours on a terminal")
        // Remove sosplan's own colour escapes; nothing raw may be left.
        let own = try Regex(#"\u{1B}\[(48|38);5;[0-9]+m|\u{1B}\[0m"#)
        let rest = r.stdout.replacing(own, with: "")
        #expect(Self.rawControls(rest, keeping: ["\n", "\r"]).isEmpty, "\(Self.rawControls(rest, keeping: ["\n", "\r"]))")
        #expect(rest.contains("enclave lwk\\e[2J\\u{9b}0"))
    }

    /// A file name is an input too: diagnostics name it escaped.
    @Test func diagnosticsEscapeTheFileNameAndTheValuesTheyQuote() throws {
        let scratch = try ScratchDirectory("hostile-output-validate")
        defer { scratch.remove() }
        let name = scratch.path("host\u{1B}[2J\nerror: x.yaml")
        try Data("apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: \"a\\e[31mb\"}\nspec: {}\n".utf8).write(to: name)
        let r = try CommandRunner.sosplan(["validate", name.path])
        #expect(r.status == 1)
        #expect(Self.rawControls(r.stdout + r.stderr).isEmpty, "\(Self.rawControls(r.stderr))")
        #expect(r.stderr.contains("host\\e[2J\\nerror: x.yaml:3:"), "\(r.stderr)")
        #expect(r.stderr.contains("a\\e[31mb"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: x") }.isEmpty)
    }
}
