import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `apply PLAN.json` carries out a saved plan only when it is the plan
/// sosplan makes now from the layout it carries: a file with a step sosplan
/// would not plan, a cycle, a forged value or a fingerprint edited to match
/// a changed host is refused before anything is written, with a message
/// that names what is wrong.
@Suite struct SavedPlanInputTests {
    /// A copy of a real host (no systemd) with a state directory, and a plan
    /// of a hugepage layout saved against it.
    struct Host {
        let scratch: ScratchDirectory
        let root: URL
        var state: URL { scratch.path("state") }
        var plan: URL { scratch.path("plan.json") }
        var options: [String] { ["--root", root.path, "--no-systemd", "--state-dir", state.path] }

        init() throws {
            scratch = try ScratchDirectory("saved-plan-input")
            root = try scratch.copyFixture("kvm-16c-1n")
            try ScratchDirectory.write(
                "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: hp}\nspec:\n  hugepages:\n    - {size: 2Mi, count: 4, numa: 0}\n",
                to: "hp.yaml", in: scratch.url)
            let r = try CommandRunner.sosplan(["plan", scratch.path("hp.yaml").path, "-o", plan.path] + options)
            #expect(r.status == 2, "\(r.stderr)")
        }

        func saved() throws -> JSONValue { try JSONParser.parse(Array(try Data(contentsOf: plan))) }

        /// Every file below the host's root with its content, and the
        /// state files an apply leaves (the lock it takes is not one).
        func files() throws -> [String: Data] {
            var out: [String: Data] = [:]
            for name in ["journal.jsonl", "last-apply.jsonl", "applied.json"] {
                out[name] = FileManager.default.contents(atPath: state.appendingPathComponent(name).path)
            }
            for base in [root] {
                for case let url as URL in FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) ?? .init() {
                    var isDir: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else { continue }
                    out[url.path] = try? Data(contentsOf: url)
                }
            }
            return out
        }

        func apply(_ value: JSONValue) throws -> CommandResult {
            let file = scratch.path("forged.json")
            try Data(JSONWriter.pretty(value).utf8).write(to: file)
            return try CommandRunner.sosplan(["apply", file.path] + options)
        }
    }

    static func edit(_ value: JSONValue, step: Int, _ key: String, _ new: JSONValue?) -> JSONValue {
        guard case .object(var top) = value, let i = top.firstIndex(where: { $0.0 == "steps" }),
            case .array(var steps) = top[i].1, case .object(var fields) = steps[step]
        else { return value }
        if let j = fields.firstIndex(where: { $0.0 == key }) {
            if let new { fields[j].1 = new } else { fields.remove(at: j) }
        } else if let new {
            fields.append((key, new))
        }
        steps[step] = .object(fields)
        top[i].1 = .array(steps)
        return .object(top)
    }

    static func withTop(_ value: JSONValue, _ key: String, _ new: JSONValue?) -> JSONValue {
        guard case .object(var top) = value else { return value }
        if let j = top.firstIndex(where: { $0.0 == key }) {
            if let new { top[j].1 = new } else { top.remove(at: j) }
        }
        return .object(top)
    }

    @Test func forgedPlansAreRefusedBeforeAnythingIsWritten() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let base = try host.saved()
        let hugepages = try #require(base["steps"]?.arrayValue?.firstIndex { $0["action"]?.stringValue == "hugepages.set" })
        let cases: [(String, JSONValue, String)] = [
            ("2^63-1 hugepages", Self.edit(base, step: hugepages, "after", .object([("count", .int(Int.max))])),
             "steps[\(hugepages)].after.count: 9223372036854775807 pages of 2Mi is more than any host has"),
            ("a cycle", Self.edit(Self.edit(base, step: 0, "dependsOn", .array([.string("s2")])), step: 1, "dependsOn", .array([.string("s1")])),
             "steps[0].dependsOn: 's2' is a later step; a step waits only for earlier ones (no cycles)"),
            ("a duplicate id", Self.edit(base, step: 1, "id", .string("s1")), "steps[1].id: 's1' is the id of steps[0] as well"),
            ("a missing id", Self.edit(base, step: 1, "id", nil), "steps[1].id: missing; expected a string"),
            ("an unknown action", Self.edit(base, step: 1, "action", .string("shell.run")), "steps[1].action: 'shell.run' is not known; expected one of"),
            ("a fingerprint of another host", Self.withTop(base, "snapshotFingerprint", .string("sha256:" + String(repeating: "a", count: 64))),
             "snapshotFingerprint: is not the fingerprint of the snapshot the plan carries"),
            ("no layout", Self.withTop(base, "layoutSource", nil), "refusing the saved plan: it carries no layout"),
            ("a reordered plan", Self.edit(Self.edit(base, step: 0, "id", .string("s2")), step: 1, "id", .string("s1")),
             "refusing the saved plan: it is not the plan sosplan makes now"),
        ]
        let before = try host.files()
        for (what, value, expected) in cases {
            let r = try host.apply(value)
            #expect(r.status == 1 && !r.signaled, "\(what): \(r.stderr)")
            #expect(r.stderr.contains(expected), "\(what): \(r.stderr)")
            #expect(!r.stderr.contains("DecodingError") && !r.stderr.contains("codingPath"), "\(what): \(r.stderr)")
            #expect(try host.files() == before, "\(what): nothing is written")
        }
    }

    @Test func aLongForgedValueIsCutInTheMessage() throws {
        let host = try Host()
        defer { host.scratch.remove() }
        let r = try host.apply(Self.edit(try host.saved(), step: 0, "target", .string(String(repeating: "../", count: 100_000))))
        #expect(r.status == 1)
        #expect(r.stderr.contains("(300000 characters)"), "\(r.stderr.prefix(500))")
        #expect(r.stderr.utf8.count < 2000)
    }
}

/// The same rule against a real systemd: a step that names a unit the
/// layout does not (sshd.service) reads as a plan but is not the plan
/// sosplan makes; a fingerprint and snapshot replaced with a changed host's
/// make the plan look fresh, and planning again shows it is not.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct SavedPlanRuleTests {
    static func save(_ sandbox: Sandbox, _ name: String) throws -> (URL, JSONValue) {
        let file = sandbox.directory.appendingPathComponent(name)
        let r = try sandbox.sosplan(["plan", ApplyFixture.quickstart, "-o", file.path])
        #expect(r.status == 2, "\(r.stderr)")
        return (file, try JSONParser.parse(Array(try Data(contentsOf: file))))
    }

    static func write(_ value: JSONValue, _ sandbox: Sandbox, _ name: String) throws -> String {
        let file = sandbox.directory.appendingPathComponent(name)
        try Data(JSONWriter.pretty(value).utf8).write(to: file)
        return file.path
    }

    @Test func aStepSosplanWouldNotPlanIsRefusedAndNothingChanges() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let (_, saved) = try Self.save(sandbox, "plan.json")
        var plan = try SavedPlanReader.read(JSONWriter.pretty(saved))
        plan.steps.append(Step(
            id: "s\(plan.steps.count + 1)", action: .unitPlace, target: .unit("sshd.service"), disruption: .restart,
            before: ["Slice": .string("system.slice")], after: ["Slice": .string("sosplan-slurm.slice")]))
        plan.summary = PlanSummary(steps: plan.steps)
        let forged = try Self.write(plan.jsonValue(), sandbox, "forged.json")
        let r = try sandbox.sosplan(["apply", forged])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("refusing the saved plan: it is not the plan sosplan makes now from the layout it carries"), "\(r.stderr)")
        #expect(r.stderr.contains("the saved plan has s\(plan.steps.count) unit.place sshd.service, which sosplan does not plan"), "\(r.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory.appendingPathComponent("journal.jsonl").path))

        // The layout it carries, edited together with its hash, plans other steps: refused too.
        var edited = try SavedPlanReader.read(JSONWriter.pretty(saved))
        let text = try #require(edited.layoutSource?.text).replacingOccurrences(of: "cpuWeight: 300", with: "cpuWeight: 900")
        edited.layoutSource = LayoutSource(file: edited.layoutSource!.file, text: text)
        let r2 = try sandbox.sosplan(["apply", try Self.write(edited.jsonValue(), sandbox, "edited.json")])
        #expect(r2.status == 1 && r2.stderr.contains("CPUWeight"), "\(r2.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
    }

    @Test func aFingerprintReplacedToMatchAChangedHostIsRefused() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let (_, saved) = try Self.save(sandbox, "plan.json")
        try sandbox.writeHostFile("sys/devices/system/cpu/cpu5/online", "0\n")
        defer { try? sandbox.writeHostFile("sys/devices/system/cpu/cpu5/online", "1\n") }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        // The host as it is now, with its fingerprint, put into the old plan.
        let (_, now) = try Self.save(sandbox, "now.json")
        var forged = try SavedPlanReader.read(JSONWriter.pretty(saved))
        let current = try SavedPlanReader.read(JSONWriter.pretty(now))
        forged.priorSnapshot = current.priorSnapshot
        forged.snapshotFingerprint = current.snapshotFingerprint
        let r = try sandbox.sosplan(["apply", try Self.write(forged.jsonValue(), sandbox, "forged.json")])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("refusing the saved plan: it is not the plan sosplan makes now"), "\(r.stderr)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
    }
}
