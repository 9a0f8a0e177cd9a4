import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The Ansible module `hpc.sosplan.sosplan` run by real ansible-core against
/// localhost in the sandbox, with the example's compute-node template: check
/// mode plans and changes nothing, a run applies, a second run changes
/// nothing, a layout that does not fit and an injected fault fail with
/// sosplan's own message (and the host rolled back, or what is left listed),
/// a killed apply is finished; and the example playbook itself.
@Suite(.serialized, .enabled(if: AnsiblePlaybook.isAvailable, "\(AnsiblePlaybook.unavailableReason)"),
       .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct AnsibleModuleTests {
    static var computeVars: URL { AnsiblePlaybook.examples.appendingPathComponent("group_vars/compute.yml") }
    static var computeTemplate: URL { AnsiblePlaybook.examples.appendingPathComponent("templates/compute.yaml.j2") }

    /// The module with the compute template, rendered with the group's variables and `overrides`.
    static func compute(_ sandbox: Sandbox, _ scratch: URL, _ overrides: [String: JSONValue] = [:], flags: [String] = [])
        throws -> AnsiblePlaybook.ModuleRun {
        try AnsiblePlaybook.runModule(
            sandbox, scratch: scratch, variables: ["layout_template": .string(computeTemplate.path)].merging(overrides) { $1 },
            varsFiles: [computeVars], flags: flags)
    }

    @Test func checkModeDiffsThenARunAppliesThenNothingIsLeftToDo() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)

        // --check --diff: the plan's steps, each with before and after; nothing changes.
        let check = try Self.compute(sandbox, scratch.url, flags: ["--check", "--diff"])
        try #require(check.result != nil && !check.failed, "\(check.log)")
        #expect(check.changed == true)
        #expect(check.result?["exit_code"]?.intValue == 2, "plan exits 2 when there are changes")
        let planned = check.result?["plan"]?["steps"]?.arrayValue ?? []
        #expect(!planned.isEmpty && check.stepIDs == planned.compactMap { $0["id"]?.stringValue })
        #expect(check.diff.count == planned.count, "one diff per step")
        let headers = check.diff.compactMap { $0["after_header"]?.stringValue }
        #expect(headers.contains("s4 enclave.create enclave:lwk0"), "\(headers)")
        let hugepages = check.diff.first { $0["after_header"]?.stringValue?.contains("hugepages.set") == true }
        #expect(hugepages?["before"]?.stringValue == "count: 0\n" && hugepages?["after"]?.stringValue == "count: 512\n",
                "\(hugepages.map { JSONWriter.compact($0) } ?? "no hugepages step")")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [], "check mode changed the host")
        #expect(try ApplyFixture.mutatingToolRuns(sandbox) == 0, "check mode ran a co-kernel tool")
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateDirectory.appendingPathComponent("applied.json").path))

        // A real run applies exactly those steps.
        let apply = try Self.compute(sandbox, scratch.url)
        try #require(apply.result != nil && !apply.failed, "\(apply.log)")
        #expect(apply.changed == true && apply.outcome == "converged" && apply.rolledBack == false)
        #expect(apply.stepIDs == check.stepIDs, "the steps done are the steps planned")
        #expect(try ApplyFixture.differences(sandbox, from: before) != [])
        #expect(try sandbox.sosplan(["status"]).status == 0, "the host is in sync after the run")

        // Check mode and a second run now find nothing to do.
        let recheck = try Self.compute(sandbox, scratch.url, flags: ["--check"])
        #expect(recheck.changed == false && !recheck.failed, "\(recheck.log)")
        let again = try Self.compute(sandbox, scratch.url)
        #expect(again.changed == false && !again.failed && again.outcome == "no-changes", "\(again.log)")
        let finished = (again.result?["events"]?.arrayValue ?? []).last { $0["event"]?.stringValue == "finished" }
        let mutations = finished?["mutations"]?.objectValue ?? []
        #expect(!mutations.isEmpty && mutations.allSatisfy { $0.1.intValue == 0 }, "a second run mutates nothing")

        // state: status reads sosplan.status/v1.
        let status = try AnsiblePlaybook.runModule(sandbox, scratch: scratch.url, variables: ["sosplan_state": .string("status")])
        #expect(status.changed == false && status.result?["in_sync"]?.boolValue == true, "\(status.log)")
        for run in [check, apply, recheck, again, status] {
            let undocumented = try run.undocumentedKeys()
            #expect(undocumented == [], "\(run.log)")
        }
        #expect(status.result?["status"]?["schema"]?.stringValue == "sosplan.status/v1")

        // Drift behind sosplan's back: reported, neither changed nor failed.
        let set = try sandbox.lab(["systemctl", "set-property", "--runtime", "sosplan-slurmd.slice", "AllowedCPUs=0-3"])
        try #require(set.status == 0, "\(set.stderr)")
        let drifted = try AnsiblePlaybook.runModule(sandbox, scratch: scratch.url, variables: ["sosplan_state": .string("status")])
        #expect(!drifted.failed && drifted.changed == false && drifted.result?["in_sync"]?.boolValue == false, "\(drifted.log)")
        let drift = (drifted.result?["status"]?["drift"]?.arrayValue ?? []).map { JSONWriter.compact($0) }
        #expect(drift.contains { $0.contains("sosplan-slurmd.slice") }, "\(drift)")
    }

    @Test func aLayoutThatDoesNotFitFailsWithSosplansFileLineColumnMessage() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        // Node 1 has 16 CPUs; the enclave asks for 40.
        let tooBig: [String: JSONValue] = ["sosplan_lwk_cpus": .int(40), "content_name": .string("cn001.yaml")]
        let template = try String(contentsOf: Self.computeTemplate, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        for flags in [["--check"], []] {
            let run = try Self.compute(sandbox, scratch.url, tooBig, flags: flags)
            #expect(run.failed && run.changed == false, "\(flags): \(run.log)")
            let message = run.message
            let match = message.firstMatch(of: /cn001\.yaml:(\d+):(\d+): error: cannot place 40 CPUs for enclave 'lwk0'/)
            #expect(match != nil, "\(flags): \(message)")
            // LINE:COLUMN point into the rendered layout at the enclave's cpus.
            if let line = match.flatMap({ Int($0.1) }), line >= 1, line <= template.count {
                #expect(template[line - 1].contains("cpus: {count: {{ sosplan_lwk_cpus }}"), "\(flags): line \(line): \(template[line - 1])")
            }
            #expect(message.contains("hint:"), "\(flags): sosplan's hint is kept: \(message)")
        }
        #expect(try ApplyFixture.differences(sandbox, from: before) == [], "the host changed")
    }

    /// metadata.hostname: check mode refuses a host the layout does not
    /// name, as the apply does, with sosplan's message; nothing changes.
    @Test func checkModeRefusesAHostTheLayoutDoesNotName() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let ioLayout: [String: JSONValue] = ["sosplan_hostname_pattern": .string("io*")]
        for flags in [["--check"], []] {
            let run = try Self.compute(sandbox, scratch.url, ioLayout, flags: flags)
            #expect(run.failed && run.changed == false, "\(flags): \(run.log)")
            #expect(run.message.contains("this layout is for host 'io*'"), "\(flags): \(run.message)")
            #expect(run.message.contains("hint: check metadata.hostname"), "\(flags): \(run.message)")
        }
        // The matching pattern plans as before.
        let ok = try Self.compute(sandbox, scratch.url, flags: ["--check"])
        #expect(!ok.failed && ok.changed == true, "\(ok.log)")
        #expect(try ApplyFixture.differences(sandbox, from: before) == [])
    }

    /// A wrong sosplan_path is named in the error (ansible-core alone would
    /// say only "Error executing command."), and nothing runs.
    @Test func aWrongSosplanPathIsNamed() throws {
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let notExecutable = scratch.path("sosplan")
        try "not a program\n".write(to: notExecutable, atomically: true, encoding: .utf8)
        for (path, why) in [("/nonexistent/bin/sosplan", "does not exist"), (notExecutable.path, "is not an executable file")] {
            for flags in [["--check"], []] {
                let run = try AnsiblePlaybook.runModule(
                    nil, scratch: scratch.url,
                    variables: ["layout_path": .string("/etc/sosplan/host.yaml"), "sosplan_path": .string(path)], flags: flags)
                #expect(run.failed && run.message.contains("sosplan_path '\(path)' \(why)"), "\(flags): \(run.log)")
                #expect(run.result?["cmd"] == nil, "sosplan did not run")
            }
        }
    }

    @Test func anInjectedFaultFailsTheTaskWithTheHostRolledBack() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let fault = try sandbox.sim("fault", ["fail", "ihkosctl", "boot"])
        try #require(fault.status == 0, "\(fault.stderr)")

        let run = try Self.compute(sandbox, scratch.url)
        #expect(run.failed && run.changed == false, "\(run.log)")
        #expect(run.outcome == "rolled-back" && run.rolledBack == true, "\(run.log)")
        #expect(run.result?["failed_step"]?["action"]?.stringValue == "enclave.create")
        #expect(run.result?["failed_step"]?["target"]?.stringValue == "enclave:lwk0")
        #expect(run.message.contains("rolled back") && run.message.contains("IHK could not boot"), "\(run.message)")
        // Every step done before the failure was undone.
        let undone = Set((run.result?["undone"]?.arrayValue ?? []).compactMap(\.stringValue))
        let done = Set((run.result?["events"]?.arrayValue ?? []).filter { $0["event"]?.stringValue == "step-done" }
            .compactMap { $0["step"]?.stringValue })
        #expect(done.count > 0 && done.isSubset(of: undone), "done \(done.sorted()), undone \(undone.sorted())")
        _ = try sandbox.sim("fault", ["clear"])
        #expect(try ApplyFixture.differences(sandbox, from: before) == [], "the host is not as before")
        let undocumented = try run.undocumentedKeys()
        #expect(undocumented == [])
    }

    /// sosplan exit 3: the last step fails and undoing the enclave fails too
    /// (a process holds its device): the task says what is left, exactly
    /// what differs from before.
    @Test func aRollbackThatCannotFinishReportsWhatIsLeft() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        #expect(try sandbox.sim("fault", ["fail", "mcexec", "launch", "--count", "0"]).status == 0)
        #expect(try sandbox.sim("fault", ["hold-device", "0"]).status == 0)

        let run = try Self.compute(sandbox, scratch.url)
        #expect(run.failed && run.changed == true, "\(run.log)")
        #expect(run.outcome == "rollback-incomplete" && run.rolledBack == false, "\(run.log)")
        #expect(run.result?["exit_code"]?.intValue == 3)
        #expect(run.result?["failed_step"]?["target"]?.stringValue == "sosplan-solver.service")
        #expect(run.message.contains("could not roll back"), "\(run.message)")
        // Done before the failure: the enclave among them, not the failed unit.
        #expect(run.stepIDs.contains("s4") && !run.stepIDs.contains("s8"), "\(run.stepIDs)")
        let left = Set((run.result?["left"]?.arrayValue ?? []).compactMap(\.stringValue))
        let actual = try ApplyFixture.differences(sandbox, from: before)
        #expect(!actual.isEmpty && left == Set(actual), "reported \(left.sorted()), actual \(actual)")
        let undoFailures = run.result?["undo_failures"]?.arrayValue ?? []
        #expect(undoFailures.count >= 1, "\(run.log)")
        let undocumented = try run.undocumentedKeys()
        #expect(undocumented == [], "undo_failures and left are documented")
    }

    /// `layout:` a path on the host, after an apply was killed half-way:
    /// the task finishes it, says so in a warning, and the host converges.
    @Test func anInterruptedApplyIsFinishedWithAWarning() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let crashed = try sandbox.sosplan(["apply", ApplyFixture.full, "--yes"], extra: ["SOSPLAN_TEST_CRASH": "after:5"])
        try #require(crashed.signaled, "apply should have been killed after step 5: \(crashed.stdout)\(crashed.stderr)")

        let run = try AnsiblePlaybook.runModule(sandbox, scratch: scratch.url, variables: ["layout_path": .string(ApplyFixture.full)])
        #expect(!run.failed && run.changed == true && run.outcome == "converged", "\(run.log)")
        let warnings = (run.result?["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(warnings.contains { $0.contains("did not finish (after 5 of") }, "\(warnings)")
        #expect(run.result?["cmd"]?.arrayValue?.contains(.string(ApplyFixture.full)) == true, "the layout is read where it is")
        #expect(try ApplyFixture.plan(sandbox, ApplyFixture.full).status == 0, "the host converged")
    }

    /// examples/rolling.yml as written (serial, max_fail_percentage, the
    /// compute group's template and a status check) on the sandbox host cn001.
    @Test func theRollingExampleAppliesTheGroupLayout() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let examples = AnsiblePlaybook.examples
        let rolling = examples.appendingPathComponent("rolling.yml").path
        let syntax = try AnsiblePlaybook.playbook(
            ["--syntax-check", "-i", examples.appendingPathComponent("inventory.ini").path, rolling], sandbox: nil, scratch: scratch.url)
        #expect(syntax.status == 0, "\(syntax.stdout)\(syntax.stderr)")

        let inventory = scratch.path("inventory.ini")
        try "[compute]\ncn001 ansible_connection=local ansible_python_interpreter=\"{{ ansible_playbook_python }}\"\n"
            .write(to: inventory, atomically: true, encoding: .utf8)
        let text = try String(contentsOfFile: rolling, encoding: .utf8)
        #expect(text.contains("\n  become: true\n"), "the example runs sosplan as root")
        let sosplan = "sosplan_path=\(RepositoryPaths.product("sosplan").path)"
        // These machines have no sudo: become as root through su, which needs no password for root.
        let run = try AnsiblePlaybook.playbook(
            ["-i", inventory.path, rolling, "-e", sosplan, "-e", "ansible_become_method=su"], sandbox: sandbox, scratch: scratch.url)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let status = try sandbox.sosplan(["status", "--format", "json"])
        #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
        let applied = try JSONParser.parse(status.stdout)
        #expect(applied["lastApply"]?["outcome"]?.stringValue == "converged")
        let plan = try sandbox.sosplan(["show"])
        #expect(plan.status == 0 && plan.stdout.contains("lwk0"), "the compute layout's enclave runs: \(plan.stdout)")
    }
}

/// What needs no host: the module's documentation and its refusals.
@Suite(.enabled(if: AnsiblePlaybook.isAvailable, "\(AnsiblePlaybook.unavailableReason)"))
struct AnsibleModuleDocumentationTests {
    @Test func ansibleDocRendersEveryOption() throws {
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let text = try AnsiblePlaybook.doc(["hpc.sosplan.sosplan"], scratch: scratch.url)
        #expect(text.status == 0 && text.stdout.contains("hpc.sosplan.sosplan"), "\(text.stdout)\(text.stderr)")
        let json = try AnsiblePlaybook.doc(["--json", "hpc.sosplan.sosplan"], scratch: scratch.url)
        try #require(json.status == 0, "\(json.stderr)")
        let doc = try JSONParser.parse(json.stdout)["hpc.sosplan.sosplan"]
        let options = Set((doc?["doc"]?["options"]?.objectValue ?? []).map(\.0))
        #expect(options == ["state", "layout", "content", "content_name", "sosplan_path", "state_dir", "lock_timeout",
                            "rollback_on_failure", "root", "systemd_bus", "unit_dir", "tools_dir"])
        let returns = Set((doc?["return"]?.objectValue ?? []).map(\.0))
        #expect(returns.isSuperset(of: ["changed", "plan", "steps", "outcome", "rolled_back", "failed_step", "left", "undo_failures", "status"]))
        #expect(doc?["examples"]?.stringValue?.contains("hpc.sosplan.sosplan:") == true)
    }

    /// Every `ansible-test sanity` test (validate-modules, pylint, pep8,
    /// yamllint, ansible-doc, import, ...) through `integrations/ansible/sanity`,
    /// which installs each test's requirements from PyPI the first time.
    @Test(.enabled(if: AnsiblePlaybook.find("ansible-test") != nil, "ansible-test is not in PATH"))
    func ansibleTestSanityPasses() throws {
        let script = AnsiblePlaybook.collections.appendingPathComponent("sanity")
        let r = try CommandRunner.run(script, [])
        #expect(r.status == 0, "\(r.stdout.suffix(4000))\(r.stderr.suffix(4000))")
        #expect(r.stdout.contains("Running sanity test \"validate-modules\""), "\(r.stdout.suffix(2000))")
    }

    /// sosplan always rolls a failed apply back: asking otherwise is refused
    /// before sosplan runs.
    @Test func rollbackOnFailureFalseIsRefusedRatherThanIgnored() throws {
        let scratch = try ScratchDirectory("ansible")
        defer { scratch.remove() }
        let run = try AnsiblePlaybook.runModule(
            nil, scratch: scratch.url,
            variables: ["layout_path": .string("/nonexistent.yaml"), "rollback_on_failure": .bool(false)])
        #expect(run.failed && run.message.contains("rollback_on_failure: false is not supported"), "\(run.log)")
        #expect(run.result?["cmd"] == nil, "sosplan did not run")
    }
}
