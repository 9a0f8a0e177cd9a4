import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The built `sosplan validate` on real files: exit codes, where output goes,
/// and the three formats.
@Suite struct ValidateCommandTests {
    static let layoutDir = LayoutCorpus.invalidDirectory.deletingLastPathComponent()

    @Test(arguments: LayoutCorpus.invalidFiles)
    func corpusFileIsRejectedWithItsDiagnostics(_ file: String) throws {
        let r = try CommandRunner.sosplan(["validate", "Invalid/" + file], currentDirectory: Self.layoutDir)
        #expect(!r.signaled, "sosplan crashed on \(file): \(r.stderr)")
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        let head = try #require(r.stderr.split(separator: "\n").first).description
        let location = head.prefix { $0 != " " }
        let parts = location.split(separator: ":", omittingEmptySubsequences: false)
        #expect(parts.count == 4 && parts[0] == "Invalid/\(file)" && Int(parts[1]) != nil && Int(parts[2]) != nil
                && parts[3].isEmpty, "\(head)")
        #expect(head.dropFirst(location.count).hasPrefix(" error: "), "\(head)")
        let golden = try String(contentsOf: LayoutCorpus.invalidDirectory.appendingPathComponent(
            file.replacingOccurrences(of: ".yaml", with: ".diagnostics")), encoding: .utf8)
        #expect(r.stderr == golden, "the command prints exactly the decoder's diagnostics")
    }

    @Test(arguments: LayoutCorpus.examples)
    func exampleIsValid(_ file: String) throws {
        let r = try CommandRunner.sosplan(["validate", "Examples/" + file], currentDirectory: RepositoryPaths.root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "Examples/\(file): valid\n")
        #expect(r.stderr.isEmpty)
    }

    @Test func severalFilesFailWhenAnyIsInvalidAndUnreadableFilesAreReported() throws {
        let r = try CommandRunner.sosplan(
            ["validate", "Examples/minimal.yaml", "Examples/no-such-file.yaml",
             "Tests/SosplanCoreTests/Layout/Invalid/028-host-cpus-zero.yaml"],
            currentDirectory: RepositoryPaths.root)
        #expect(r.status == 1)
        #expect(r.stdout == "Examples/minimal.yaml: valid\n")
        #expect(r.stderr == """
            Examples/no-such-file.yaml: error: cannot read: No such file or directory
            Tests/SosplanCoreTests/Layout/Invalid/028-host-cpus-zero.yaml:9:11: error: spec.host.cpus: a CPU count must be at least 1, found 0

            """)
    }

    @Test func directoryIsUnreadable() throws {
        let r = try CommandRunner.sosplan(["validate", "Examples"], currentDirectory: RepositoryPaths.root)
        #expect(r.status == 1)
        #expect(r.stderr == "Examples: error: cannot read: it is a directory, not a regular file\n    hint: name a file in it, e.g. 'Examples/host.yaml'\n")
    }

    @Test func standardInputWithAWarningIsValid() throws {
        let text = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: x}\nspec:\n  services: [{name: a, units: [a.service], cpus: \"3\"}]\n"
        let r = try CommandRunner.sosplan(["validate", "-"], stdin: text)
        #expect(r.status == 0)
        #expect(r.stdout == "<stdin>: valid (1 warning)\n")
        #expect(r.stderr.hasPrefix("<stdin>:5:50: warning: spec.services[0].cpus: the quoted \"3\" is a CPU list"))
    }

    @Test func noFileIsAUsageError() throws {
        let r = try CommandRunner.sosplan(["validate"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("Usage:"))
    }

    @Test func jsonFormat() throws {
        let r = try CommandRunner.sosplan(
            ["validate", "--format", "json", "Examples/minimal.yaml",
             "Tests/SosplanCoreTests/Layout/Invalid/066-stack-unknown-enclave.yaml"],
            currentDirectory: RepositoryPaths.root)
        #expect(r.status == 1)
        #expect(r.stderr.isEmpty)
        let doc = try JSONParser.parse(r.stdout)
        let expected: JSONValue = .object([("files", .array([
            .object([("file", .string("Examples/minimal.yaml")), ("valid", .bool(true)), ("diagnostics", .array([]))]),
            .object([
                ("file", .string("Tests/SosplanCoreTests/Layout/Invalid/066-stack-unknown-enclave.yaml")),
                ("valid", .bool(false)),
                ("diagnostics", .array([.object([
                    ("severity", .string("error")),
                    ("file", .string("Tests/SosplanCoreTests/Layout/Invalid/066-stack-unknown-enclave.yaml")),
                    ("line", .int(16)), ("column", .int(14)),
                    ("message", .string("spec.services[0].stack: no enclave named 'lwk1'")),
                    ("hints", .array([.string("did you mean 'lwk0'?")])),
                ])])),
            ]),
        ]))])
        #expect(doc == expected)
    }

    @Test func githubFormat() throws {
        let r = try CommandRunner.sosplan(
            ["validate", "--format", "github", "Invalid/066-stack-unknown-enclave.yaml", "Invalid/013-unknown-top-level-field.yaml"],
            currentDirectory: Self.layoutDir)
        #expect(r.status == 1)
        #expect(r.stdout == """
            ::error file=Invalid/066-stack-unknown-enclave.yaml,line=16,col=14::spec.services[0].stack: no enclave named 'lwk1'%0Ahint: did you mean 'lwk0'?
            ::error file=Invalid/013-unknown-top-level-field.yaml,line=7,col=1::unknown field 'specs'%0Ahint: did you mean 'spec'?%0Ahint: known fields here: apiVersion, kind, metadata, spec

            """)
    }

    @Test func githubFormatForAValidFileIsSilent() throws {
        let r = try CommandRunner.sosplan(["validate", "--format", "github", "Examples/minimal.yaml"], currentDirectory: RepositoryPaths.root)
        #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty)
    }
}
