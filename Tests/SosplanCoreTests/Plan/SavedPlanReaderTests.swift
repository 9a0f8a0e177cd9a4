import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// A saved plan is read as an input: every plan sosplan makes reads back,
/// and each way a file can break the rules of plans (a forged step, a
/// cycle, an edited fingerprint, a wrong type) is refused with the field
/// and what was expected.
@Suite struct SavedPlanReaderTests {
    static let layoutText = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: saved}
        spec:
          host: {cpus: 2}
          hugepages:
            - {size: 2Mi, count: 64, numa: 0}
          enclaves:
            - {name: lwk0, driver: mckernel, cpus: 4, memory: [{size: 2Gi, numa: 1}]}
          services:
            - {name: web, units: [nginx.service], cpus: 2}
            - {name: batch, exec: [/usr/bin/worker, --fast], cpus: 2}

        """

    /// A plan as `plan -o` saves it (with its layout and snapshot), as JSON.
    static func saved() throws -> JSONValue {
        let host = SyntheticHost.snapshot(packages: 2, coresPerNode: 8, threadsPerCore: 2)
        let layout = try #require(LayoutDecoder.decode(layoutText, file: "/etc/sosplan/host.yaml").layout)
        var plan = try #require(Planner(layout: layout, snapshot: host, capabilities: EnclaveCapabilities.known).plan().plan)
        plan.priorSnapshot = host
        plan.layoutSource = LayoutSource(file: "/etc/sosplan/host.yaml", text: layoutText)
        return plan.jsonValue()
    }

    static func refusal(_ value: JSONValue) -> SavedPlanReader.Refusal? {
        refusal(JSONWriter.pretty(value))
    }

    static func refusal(_ text: String) -> SavedPlanReader.Refusal? {
        do {
            _ = try SavedPlanReader.read(text)
            return nil
        } catch { return error }
    }

    static func index(of action: String, in plan: JSONValue) throws -> Int {
        try #require(plan["steps"]?.arrayValue?.firstIndex { $0["action"]?.stringValue == action }, "no \(action) step")
    }

    @Test func aSavedPlanReadsBackAsItWasWritten() throws {
        let value = try Self.saved()
        let plan = try SavedPlanReader.read(JSONWriter.pretty(value))
        let written = try #require(try? JSONValueDecoder().decode(Plan.self, from: value))
        #expect(plan == written)
        // Read back, its placement lists services by name; the comparison sees no difference.
        var planned = written
        planned.placement.services.reverse()
        #expect(SavedPlanComparison.differences(saved: plan, now: planned).isEmpty)
        #expect(plan.steps.count >= 5)
    }

    /// Every golden plan, and every plan of every example on every fixture
    /// host, keeps the rules: the validator refuses nothing sosplan makes.
    @Test func everyPlanSosplanMakesKeepsTheRules() throws {
        let dir = RepositoryPaths.tests.appendingPathComponent("Goldens/Plans")
        let goldens = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        #expect(goldens.count >= 10)
        for file in goldens {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            #expect(Self.refusal(text) == nil, "\(file): \(Self.refusal(text)?.description ?? "")")
        }
        var planned = 0
        for example in LayoutCorpus.examples {
            let layout = try #require(LayoutDecoder.decode(try LayoutCorpus.bytes(RepositoryPaths.examples.appendingPathComponent(example)), file: example).layout)
            for (name, host) in FixtureSnapshots.all() {
                guard let plan = Planner(layout: layout, snapshot: host, capabilities: EnclaveCapabilities.known).plan().plan else { continue }
                planned += 1
                let problems = SavedPlanValidator.problems(plan)
                #expect(problems.isEmpty, "\(example) on \(name): \(problems)")
            }
        }
        #expect(planned >= 60)
    }

    /// Steps sosplan would never plan, written into a saved plan by hand.
    @Test func forgedStepsAreRefusedNamingTheField() throws {
        let base = try Self.saved()
        let hugepages = try Self.index(of: "hugepages.set", in: base)
        let slice = try Self.index(of: "slice.create", in: base)
        let exec = try Self.index(of: "unit.create", in: base)
        let place = try Self.index(of: "unit.place", in: base)
        let enclave = try Self.index(of: "enclave.create", in: base)
        let cases: [(String, JSONValue, String)] = [
            ("a hugepage count of 2^63-1", base.setting(["steps", .index(hugepages), "after", "count"], to: .int(Int.max)),
             "steps[\(hugepages)].after.count: 9223372036854775807 pages of 2Mi is more than any host has"),
            ("systemd's own slice", base.setting(["steps", .index(slice), "target"], to: .string("system.slice")),
             "steps[\(slice)].target: 'system.slice' is not a slice sosplan may change"),
            ("a path in a unit name", base.setting(["steps", .index(exec), "target"], to: .string("sosplan-../../etc/cron.d/x.service")),
             "steps[\(exec)].target: 'sosplan-../../etc/cron.d/x.service' is not a service sosplan makes"),
            ("a service that is not sosplan's", base.setting(["steps", .index(exec), "target"], to: .string("sshd.service")),
             "steps[\(exec)].target: 'sshd.service' is not a service sosplan makes"),
            ("a unit file section in ExecStart", base.setting(["steps", .index(exec), "after", "ExecStart"],
                to: .array([.string("/usr/bin/worker"), .string("x\n[Service]\nExecStartPre=/bin/sh -c evil")])),
             "steps[\(exec)].after.ExecStart: contains a newline (it would start a new line in the unit file)"),
            ("a relative program", base.setting(["steps", .index(exec), "after", "ExecStart"], to: .array([.string("-/bin/sh")])),
             "steps[\(exec)].after.ExecStart: expected a list of strings led by an absolute program path"),
            ("a slice to move a unit into that is a target", base.setting(["steps", .index(place), "target"], to: .string("multi-user.target")),
             "steps[\(place)].target: 'multi-user.target' is not a unit sosplan can move into a slice"),
            ("an enclave name with a path", base.setting(["steps", .index(enclave), "target"], to: .string("enclave:../lwk")),
             "steps[\(enclave)].target: 'enclave:../lwk': the name must be a DNS label"),
            ("a CPU list past the limit", base.setting(["steps", 0, "action"], to: .string("cpu.offline"))
                .setting(["steps", 0, "target"], to: .string("cpu:0-99999999")),
             "steps[0].target: 'cpu:0-99999999' does not name a list"),
            ("memory blocks past the limit", base.setting(["steps", 0, "action"], to: .string("memory.offline"))
                .setting(["steps", 0, "target"], to: .string("memory:0-70000")),
             "steps[0].target: 'memory:0-70000' is not a memory:<list> target"),
            ("a target of another kind than its action", base.setting(["steps", 0, "action"], to: .string("cpu.offline"))
                .setting(["steps", 0, "target"], to: .string("sosplan-web.service")),
             "steps[0].target: 'sosplan-web.service' is not a cpu:<list> target"),
            ("a property name that is a unit file line", base.setting(["steps", .index(slice), "after"],
                to: .object([("AllowedCPUs\n[Service]\nExecStart", .string("/bin/sh"))])),
             "steps[\(slice)].after.AllowedCPUs\\n[Service]\\nExecStart: not a property name"),
        ]
        for (what, value, expected) in cases {
            let refusal = Self.refusal(value)
            #expect(refusal?.problems.contains { $0.hasPrefix(expected) } == true, "\(what): \(refusal?.description ?? "accepted")")
        }
    }

    @Test func dependenciesAndIdsFormAnOrderWithoutCycles() throws {
        let base = try Self.saved()
        let last = (base["steps"]?.arrayValue?.count ?? 0) - 1
        let cases: [(String, JSONValue, String)] = [
            ("a cycle", base.setting(["steps", 0, "dependsOn"], to: .array([.string("s\(last + 1)")]))
                .setting(["steps", .index(last), "dependsOn"], to: .array([.string("s1")])),
             "steps[0].dependsOn: 's\(last + 1)' is a later step; a step waits only for earlier ones (no cycles)"),
            ("itself", base.setting(["steps", 1, "dependsOn"], to: .array([.string("s2")])),
             "steps[1].dependsOn: a step cannot wait for itself"),
            ("a missing step", base.setting(["steps", 1, "dependsOn"], to: .array([.string("s99")])),
             "steps[1].dependsOn: 's99' names no step of the plan"),
            ("an id twice", base.setting(["steps", 1, "id"], to: .string("s1")),
             "steps[1].id: 's1' is the id of steps[0] as well; step ids are unique"),
            ("an empty id", base.setting(["steps", 1, "id"], to: .string("")), "steps[1].id: is empty"),
            ("an id with a newline", base.setting(["steps", 1, "id"], to: .string("s2\nerror: x")), "steps[1].id: 's2\\nerror: x' is not a step id"),
            ("a summary that does not count", base.setting(["summary", "add"], to: .int(0)), "summary: 0/"),
            ("changes without steps", base.setting(["changes"], to: .bool(false)), "changes: false with"),
        ]
        for (what, value, expected) in cases {
            let refusal = Self.refusal(value)
            #expect(refusal?.problems.contains { $0.hasPrefix(expected) } == true, "\(what): \(refusal?.description ?? "accepted")")
        }
    }

    /// The carried snapshot's fingerprint is the plan's: replacing one
    /// (to match a host that changed since) without the other is refused;
    /// so is a layout text edited without its hash.
    @Test func anEditedFingerprintOrLayoutIsRefused() throws {
        let base = try Self.saved()
        let other = "sha256:" + String(repeating: "0", count: 64)
        for value in [base.setting(["snapshotFingerprint"], to: .string(other)),
                      base.setting(["priorSnapshot", "fingerprint"], to: .string(other)),
                      base.setting(["priorSnapshot", "topology", "nodes", 0, "freeBytes"], to: .int(1))] {
            #expect(Self.refusal(value)?.problems.contains { $0.hasPrefix("snapshotFingerprint: is not the fingerprint of the snapshot") } == true,
                    "\(Self.refusal(value)?.description ?? "accepted")")
        }
        let edited = base.setting(["layoutSource", "text"], to: .string(Self.layoutText.replacingOccurrences(of: "cpus: 2}", with: "cpus: 3}")))
        #expect(Self.refusal(edited)?.problems == ["layoutSource.sha256: is not the SHA-256 of layoutSource.text (one was edited without the other)"])
    }

    /// The shape comes first: a message names the field and what was
    /// expected, never a decoder's internals; long values are cut.
    @Test func malformedFieldsAreNamedWithWhatWasExpected() throws {
        let base = try Self.saved()
        let long = String(repeating: "x", count: 100_000)
        let cases: [(JSONValue, String)] = [
            (base.setting(["steps", 0, "action"], to: .string("exec.run")), "steps[0].action: 'exec.run' is not known; expected one of slice.create, "),
            (base.setting(["steps", 0, "disruption"], to: .int(3)), "steps[0].disruption: expected one of none, live, restart, recreate, reboot, found the number 3"),
            (base.setting(["steps", 0, "id"], to: nil), "steps[0].id: missing; expected a string"),
            (base.setting(["steps", 0, "dependsOn"], to: .string("s1")), "steps[0].dependsOn: expected a list of strings, found the string 's1'"),
            (base.setting(["steps", 0, "run"], to: .string("/bin/sh")), "steps[0].run: not a field of a saved plan here"),
            (base.setting(["steps"], to: .object([])), "steps: expected a list of objects, found an object"),
            (base.setting(["summary", "add"], to: .string("1")), "summary.add: expected a whole number, found the string '1'"),
            (base.setting(["layoutSource", "text"], to: nil), "layoutSource.text: missing; expected a string"),
            (base.setting(["steps", 0, "target"], to: .string(long)), "steps[0].target: '" + String(repeating: "x", count: 48) + "…"),
            (base.setting(["placement", "host", "cpus"], to: .string("0-3,x")), "placement.host.cpus"),
        ]
        for (value, expected) in cases {
            let refusal = Self.refusal(value)
            #expect(refusal?.problems.contains { $0.hasPrefix(expected) } == true, "\(refusal?.description ?? "accepted")")
            #expect(refusal?.description.contains("DecodingError") == false)
            #expect((refusal?.description.count ?? 0) < 2000)
        }
        #expect(Self.refusal("{\"schema\": \"sosplan.plan/v1\",\n \"schema\": 1}")?.description
            == "2:2: 'schema' is given twice in this object (first at 1:2)")
        #expect(Self.refusal(base.setting(["schema"], to: .string("sosplan.plan/v2")))?.problems
            == ["not a sosplan plan: schema is 'sosplan.plan/v2', expected 'sosplan.plan/v1'"])
    }

    @Test func theComparisonNamesEachDifferingStep() throws {
        let value = try Self.saved()
        let plan = try SavedPlanReader.read(JSONWriter.pretty(value))
        #expect(SavedPlanComparison.differences(saved: plan, now: plan).isEmpty)
        var extra = plan
        extra.steps.append(Step(id: "s99", action: .unitPlace, target: .unit("sshd.service"), disruption: .restart))
        #expect(SavedPlanComparison.differences(saved: extra, now: plan)
            == ["step \(plan.steps.count + 1): the saved plan has s99 unit.place sshd.service, which sosplan does not plan"])
        var changed = plan
        let i = try #require(changed.steps.firstIndex { $0.action == .hugepagesSet })
        changed.steps[i].after["count"] = .int(128)
        #expect(SavedPlanComparison.differences(saved: changed, now: plan)
            == ["step \(i + 1): \(plan.steps[i].id) hugepages.set hugepages:2Mi@node0: after.count 128 instead of 64"])
        var swapped = plan
        swapped.steps.swapAt(0, 1)
        #expect(SavedPlanComparison.differences(saved: swapped, now: plan).count == 2)
    }
}
