import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `status`, `plan` and `apply` on a state directory whose records are
/// damaged (truncated, another schema, a FIFO, a directory, a link to
/// /dev/zero, a huge file): each names the file and what to do instead of
/// reporting "never applied" or "no interrupted apply", and none blocks.
@Suite struct StateFileDamageTests {
    struct Host {
        let scratch: ScratchDirectory
        let root: URL
        var state: URL { scratch.path("state") }
        var layout: String { scratch.path("empty.yaml").path }
        var options: [String] { ["--root", root.path, "--no-systemd", "--state-dir", state.path] }

        init() throws {
            scratch = try ScratchDirectory("state-damage")
            root = try scratch.copyFixture("kvm-16c-1n")
            try ScratchDirectory.write(
                "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: empty}\nspec:\n  host: {confine: false}\n",
                to: "empty.yaml", in: scratch.url)
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        }

        func run(_ arguments: [String]) throws -> CommandResult {
            try CommandRunner.sosplan(arguments + options)
        }
    }

    enum Damage: CaseIterable {
        case truncated, wrongSchema, fifo, directory, devZero, huge

        func make(_ file: URL) throws {
            switch self {
            case .truncated: try Data("{\"schema\": \"sosplan.".utf8).write(to: file)
            case .wrongSchema: try Data("{\"schema\": \"sosplan.snapshot/v1\"}\n".utf8).write(to: file)
            case .fifo: #expect(mkfifo(file.path, 0o600) == 0)
            case .directory: try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
            case .devZero: try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: "/dev/zero")
            case .huge:
                #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
                let handle = try FileHandle(forWritingTo: file)
                try handle.truncate(atOffset: 80 << 20)
                try handle.close()
            }
        }
    }

    static let cases: [(String, Damage)] = ["journal.jsonl", "applied.json", "installed.json"].flatMap { name in
        Damage.allCases.map { (name, $0) }
    }

    @Test(arguments: cases)
    func eachCommandNamesTheDamagedFileAndWhatToDo(_ name: String, _ damage: Damage) throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let file = host.state.appendingPathComponent(name)
        try damage.make(file)
        let named = "\(file.path)\(name == "journal.jsonl" && damage != .fifo && damage != .directory && damage != .devZero && damage != .huge ? ":1" : "") is damaged: "

        let status = try host.run(["status"])
        #expect(!status.signaled)
        #expect(status.stderr.contains(named), "status: \(status.stderr)")
        #expect(status.stderr.contains("hint: "), "status: \(status.stderr)")
        if name == "installed.json" {
            #expect(status.status == 2, "the status itself is still known")
        } else {
            #expect(status.status == 1, "\(status.stdout)")
            #expect(!status.stdout.contains("Never applied"), "\(status.stdout)")
        }

        let plan = try host.run(["plan", host.layout])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stderr.contains("warning: \(named)"), "plan: \(plan.stderr)")

        let apply = try host.run(["apply", host.layout, "--yes"])
        #expect(!apply.signaled)
        #expect(apply.stderr.contains(named), "apply: \(apply.stderr)")
        if name == "journal.jsonl" {
            #expect(apply.status == 1, "an apply does not start over a journal it cannot read")
            #expect(apply.stderr.contains("error: \(named)"), "\(apply.stderr)")
        } else {
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("warning: \(named)"), "\(apply.stderr)")
        }
    }

    /// What the hint says works: the next apply records the host again.
    @Test func aDamagedAppliedStateIsRecordedAgainByTheNextApply() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        try Damage.truncated.make(host.state.appendingPathComponent("applied.json"))
        #expect(try host.run(["status"]).status == 1)
        #expect(try host.run(["apply", host.layout, "--yes"]).status == 0)
        let status = try host.run(["status"])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.hasPrefix("In sync"), "\(status.stdout)")
    }
}
