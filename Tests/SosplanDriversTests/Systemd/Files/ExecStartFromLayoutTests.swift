import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// From the layout to the unit file systemd reads: every value a layout
/// puts into `ExecStart=` (the program and each argument) reaches the
/// program verbatim, whatever systemd specifiers (`%`), variables (`$`),
/// quotes, spaces or command prefixes (`-`, `@`, `+`, `!`, `:`) it holds;
/// a prefix in front of the program is refused with the field's position;
/// names that become unit names refuse `%` and `$` (LayoutDecoderTests,
/// UnitNamesTests and ManagedUnitFilesTests cover those paths).
@Suite struct ExecStartFromLayoutTests {
    static let tricky = [
        "%n", "%%", "100%", "%i%I", "$HOME", "${PATH}", "$$", "-x", "@x", "+x", "!x", "!!x", ":x", "-", "a b", "\"q\"",
        "'s'", "\\", "tail\\", ";", "x=y", "#c", "[Service]", "ünï",
    ]

    /// A YAML double-quoted scalar.
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The `ExecStart=` sosplan would write for a layout's one exec service.
    static func execStart(_ exec: [String]) throws -> (argv: [String], line: String) {
        let yaml = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: t}\nspec:\n  services:\n    - name: job\n"
            + "      exec: [\(exec.map(quoted).joined(separator: ", "))]\n      cpus: 2\n"
        let decoded = LayoutDecoder.decode(yaml, file: "t.yaml")
        let layout = try #require(decoded.layout, "\(decoded.diagnostics)")
        let snapshot = SyntheticHost.snapshot(packages: 1, coresPerNode: 8)
        let plan = try #require(Planner(layout: layout, snapshot: snapshot, capabilities: EnclaveCapabilities.known).plan().plan)
        let step = try #require(plan.steps.first { $0.action == .unitCreate && $0.target == .unit("sosplan-job.service") })
        let argv = (step.after["ExecStart"]?.arrayValue ?? []).compactMap(\.stringValue)
        let slice = try #require(step.after["Slice"]?.stringValue)
        let file = try ManagedUnitFiles.execUnit(ExecUnitRequest(name: step.target.description, slice: slice, arguments: argv))
        let parsed = UnitFile.parse(file.render())
        #expect(parsed.sections[1].entries.map(\.key) == ["Type", "ExecStart", "Slice", "Restart"], "no key was injected")
        return (argv, try #require(parsed.value("ExecStart", in: "Service")))
    }

    @Test(arguments: tricky)
    func everyArgumentReachesTheProgramVerbatim(_ value: String) throws {
        let exec = ["/usr/bin/job", value, "--opt=\(value)", value + value]
        let (argv, line) = try Self.execStart(exec)
        #expect(argv == exec, "the plan keeps the layout's vector")
        #expect(SystemdExecLineModel.argv(line) == exec, "\(line)")
        #expect(line.hasPrefix("\"/usr/bin/job\""), "the program is quoted: no prefix can lead the line")
    }

    @Test func specifiersInTheProgramPathAreEscaped() throws {
        let exec = ["/opt/%n/my job/bin", "x"]
        let (_, line) = try Self.execStart(exec)
        #expect(line.hasPrefix("\"/opt/%%n/my job/bin\""))
        #expect(SystemdExecLineModel.argv(line) == exec)
    }

    /// Measured on the lab's systemd 252: `ExecStart="/var/tmp/a$$b/run"`
    /// reports path `/var/tmp/a$$b/run` and fails with status 203 although
    /// `/var/tmp/a$b/run` exists: the program path is not unescaped, so no
    /// escaping can carry a `$` there; the driver refuses it.
    @Test func aDollarInTheProgramPathIsRefused() throws {
        let yaml = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: t}\nspec:\n  services:\n    - name: job\n"
            + "      exec: [\"/opt/$HOME/my job/bin\", x]\n"
        let errors = LayoutDecoder.decode(yaml, file: "t.yaml").diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.mark == SourceMark(line: 7, column: 14))
        #expect(errors.first?.message == "spec.services[0].exec[0]: systemd cannot run a program whose path contains '$', found '/opt/$HOME/my job/bin'")
        // And the driver refuses it too, should a vector arrive from elsewhere (a saved plan).
        #expect(throws: SystemdError.self) {
            try ManagedUnitFiles.execUnit(ExecUnitRequest(name: "sosplan-job.service", slice: "sosplan-job.slice", arguments: ["/opt/$HOME/bin"]))
        }
        // In an enclave the program is the launcher's argument: a `$` is fine there.
        let enclave = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: t}\nspec:\n  enclaves:\n"
            + "    - {name: lwk0, driver: mckernel, cpus: 2, memory: [{size: 1Gi}]}\n  services:\n"
            + "    - {name: job, stack: \"enclave:lwk0\", exec: [\"/opt/$HOME/bin\"]}\n"
        #expect(LayoutDecoder.decode(enclave, file: "t.yaml").diagnostics.filter { $0.severity == .error }.isEmpty)
        let (_, line) = try Self.execStart(["/opt/bin/job", "$HOME"])
        #expect(line == "\"/opt/bin/job\" \"$$HOME\"", "a $ in an argument is still escaped and unescaped by systemd")
    }

    @Test(arguments: ["-", "@", "+", "!", "!!", ":", "-@", "+!"])
    func aPrefixBeforeTheProgramIsRefusedWhereItIsWritten(_ prefix: String) {
        let yaml = "apiVersion: sosplan/v1\nkind: HostLayout\nmetadata: {name: t}\nspec:\n  services:\n    - name: job\n"
            + "      exec: [\(Self.quoted(prefix + "/usr/bin/job")), x]\n"
        let errors = LayoutDecoder.decode(yaml, file: "t.yaml").diagnostics.filter { $0.severity == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.mark == SourceMark(line: 7, column: 14))
        #expect(errors.first?.message == "spec.services[0].exec[0]: the program must be an absolute path, found '\(prefix)/usr/bin/job'")
        // And the driver refuses it too, should a vector arrive from elsewhere (a saved plan).
        #expect(throws: SystemdError.self) {
            try ManagedUnitFiles.execUnit(ExecUnitRequest(name: "sosplan-job.service", slice: "sosplan-job.slice", arguments: [prefix + "/usr/bin/job"]))
        }
    }
}
