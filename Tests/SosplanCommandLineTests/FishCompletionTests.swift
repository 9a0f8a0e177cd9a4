import SosplanCommandLine
import SosplanTestSupport
import Testing

/// The fish script, loaded in a real fish, which says what it would
/// complete a command line with (`complete -C`).
@Suite struct FishCompletionTests {
    func complete(_ line: String, spec: CommandSpec = CompletionSample.root) throws -> CompletionShells.Completion {
        let shells = try CompletionShells(spec)
        defer { shells.scratch.remove() }
        let result = try shells.fish(line)
        #expect(result.status == 0, "fish exited \(result.status) (is fish installed?): \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(!shells.wasInjected, "fish ran a command substitution from the spec")
        return result
    }

    func candidates(_ line: String, spec: CommandSpec = CompletionSample.root) throws -> Set<String> {
        Set(try complete(line, spec: spec).candidates)
    }

    @Test func theScriptParses() throws {
        #expect(CompletionScript.Shell.fish.fileName(for: "sosplan") == "sosplan.fish")
        let shells = try CompletionShells(CompletionSample.root)
        defer { shells.scratch.remove() }
        let check = try shells.run(["fish", "--no-execute", shells.script(.fish).path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.isEmpty, "\(check.stderr)")
    }

    @Test func subcommandNamesNestedOnesAndHelp() throws {
        for (line, names) in CompletionSample.subcommandCases {
            #expect(try candidates(line) == Set(names), "\(line)")
        }
    }

    /// Descriptions are the help texts exactly: quotes, `$(...)`, backticks
    /// and backslashes were neither run nor eaten.
    @Test func descriptionsAreTheHelpTextsVerbatim() throws {
        let lines = try complete("sosplan pl").screen.split(separator: "\n").map(String.init)
        #expect(lines == ["plan\tShow the steps: " + CompletionSample.hostile])
        let options = try complete("sosplan plan --fo").screen.split(separator: "\n").map(String.init)
        #expect(options == ["--format\tOutput format: " + CompletionSample.hostile])
    }

    @Test func optionsOfEachCommandWithHelpAndVersionButNotHiddenOnes() throws {
        #expect(try candidates("sosplan plan --fo") == ["--format"])
        #expect(try candidates("sosplan plan -") == ["--format", "--out-dir", "-o", "--unit", "--quiet", "-w", "--help", "-h"])
        #expect(try candidates("sosplan -") == ["--help", "-h", "--version"])
        #expect(try candidates("sosplan job prolog --") == ["--layout", "--help"])
        #expect(try candidates("sosplan plan --se").isEmpty)
        // The hidden option's value is skipped all the same: `job` is not the command here.
        #expect(try candidates("sosplan plan --secret job --q") == ["--quiet"])
    }

    @Test func optionValuesByTheirCompletion() throws {
        #expect(try candidates("sosplan plan --format ") == ["text", "json"])
        #expect(try candidates("sosplan plan --format=j") == ["--format=json"])
        #expect(try candidates("sosplan plan --out-dir a") == ["alpha/"])
        #expect(try candidates("sosplan plan -o ") == ["alpha/", "beta/"])
        #expect(try candidates("sosplan job prolog --layout a") == ["alpha/", "apple.txt"])
        #expect(try candidates("sosplan plan -w a") == ["alpha/", "apple.txt"])
        #expect(try candidates("sosplan plan --unit ").isEmpty)
    }

    @Test func positionalArgumentsByTheirCompletion() throws {
        #expect(try candidates("sosplan validate ") == ["alpha/", "beta/", "apple.txt", "layout.yaml"])
        // One LAYOUT only; and `plan` there is an argument, not the command
        // (fish's `__fish_seen_subcommand_from plan` would say it is).
        #expect(try candidates("sosplan validate plan ").isEmpty)
        #expect(try candidates("sosplan validate plan -") == ["--help", "-h"])
        // Not files where the command takes no file.
        #expect(try candidates("sosplan plan ").isEmpty)
        #expect(try candidates("sosplan job epilog 12 ").isEmpty)
    }

    @Test func choicesComeBackLiterallyAndAreNeverRun() throws {
        #expect(try candidates("tool --mode ", spec: CompletionSample.tool) == Set(CompletionSample.hostileChoices))
        #expect(try candidates("tool --mode it", spec: CompletionSample.tool) == ["it's"])
    }
}
