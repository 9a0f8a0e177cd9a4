import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// What the apply tests share: the layouts, JSON events, and comparing the
/// host with a snapshot taken before.
enum ApplyFixture {
    /// Every step kind, 14 steps on the sandbox's default host.
    static var full: String { RepositoryPaths.fixtures.appendingPathComponent("Layouts/apply-full.yaml").path }
    static var quickstart: String { RepositoryPaths.examples.appendingPathComponent("quickstart.yaml").path }
    /// Units the layouts place: observed with every snapshot so that moving
    /// them counts as a change.
    static let units = ["slurmd.service", "munge.service", "nhc.service"]

    /// Runs `apply ... --format json` and returns the exit status and events.
    static func applyJSON(_ sandbox: Sandbox, _ arguments: [String], extra: [String: String] = [:]) throws -> ApplyRun {
        let r = try sandbox.sosplan(["apply"] + arguments + ["--format", "json"], extra: extra)
        var events: [JSONValue] = []
        for line in r.stdout.split(separator: "\n") where line.hasPrefix("{") {
            events.append(try JSONParser.parse(String(line)))
        }
        return ApplyRun(result: r, events: events)
    }

    /// What differs between the host now and `before` (empty: value-equal).
    static func differences(_ sandbox: Sandbox, from before: HostSnapshot) throws -> [String] {
        SnapshotDifference.between(before, try sandbox.snapshot(units: units)).map(\.description)
    }

    /// The number of mutating co-kernel tool runs the simulators logged.
    static func mutatingToolRuns(_ sandbox: Sandbox) throws -> Int {
        let r = try sandbox.sim("calls", ["--mutating"])
        return r.stdout.split(separator: "\n").filter { $0.hasPrefix("{") }.count
    }

    /// Plans `layout` in the sandbox and returns the exit status and the plan.
    static func plan(_ sandbox: Sandbox, _ layout: String) throws -> (status: Int32, plan: Plan?, stderr: String) {
        let r = try sandbox.sosplan(["plan", layout, "--format", "json"])
        return (r.status, try? Plan.decode(json: r.stdout), r.stderr)
    }

    /// Takes the host back to the state of a fresh sandbox: the layout that
    /// holds nothing (sosplan removes what it made), then a check.
    static func tearDown(_ sandbox: Sandbox, expecting before: HostSnapshot) throws {
        let r = try sandbox.sosplan(["apply", empty(sandbox), "--yes"])
        #expect(r.status == 0, "teardown: \(r.stdout)\(r.stderr)")
        #expect(try differences(sandbox, from: before) == [], "teardown left the host changed")
    }

    /// A layout that asks for nothing, written into the sandbox.
    static func empty(_ sandbox: Sandbox) throws -> String {
        let file = sandbox.directory.appendingPathComponent("empty.yaml")
        if !FileManager.default.fileExists(atPath: file.path) {
            try """
                apiVersion: sosplan/v1
                kind: HostLayout
                metadata: {name: empty}
                spec:
                  host: {confine: false}
                  hugepages:
                    - {size: 2Mi, count: 0, numa: 0}

                """.write(to: file, atomically: true, encoding: .utf8)
        }
        return file.path
    }

    /// Waits until `condition` holds (polling), or fails the test after `timeout` seconds.
    static func wait(_ what: String, timeout: Double = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what)")
        throw ApplyTestTimeout(what: what)
    }

    /// True once the unfinished journal records that `stepID` began.
    static func journalBegan(_ sandbox: Sandbox, _ stepID: String) -> Bool {
        guard let text = try? String(contentsOf: sandbox.stateDirectory.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        else { return false }
        return text.split(separator: "\n").contains { $0.contains("\"steps-begun\"") && $0.contains("\"\(stepID)\"") }
    }
}

struct ApplyTestTimeout: Error { var what: String }

/// One `apply --format json` run.
struct ApplyRun {
    var result: CommandResult
    var events: [JSONValue]

    var status: Int32 { result.status }
    var finished: JSONValue? { events.last { $0["event"]?.stringValue == "finished" } }
    var outcome: String? { finished?["outcome"]?.stringValue }
    var left: [String] { (finished?["left"]?.arrayValue ?? []).compactMap(\.stringValue) }
    var mutations: [String: Int] {
        var out: [String: Int] = [:]
        for (k, v) in finished?["mutations"]?.objectValue ?? [] { out[k] = v.intValue }
        return out
    }
    func events(_ kind: String) -> [JSONValue] { events.filter { $0["event"]?.stringValue == kind } }
    var log: String { result.stdout + result.stderr }
}
