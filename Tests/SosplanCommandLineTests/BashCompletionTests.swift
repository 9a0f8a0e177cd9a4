import SosplanCommandLine
import SosplanTestSupport
import Testing

/// The bash script, sourced in a real bash whose completion function is
/// called as `complete -F` would call it.
@Suite struct BashCompletionTests {
    /// Completes `words` (the last is the word at the cursor) with the sample's script.
    func complete(_ words: [String], spec: CommandSpec = CompletionSample.root) throws -> Set<String> {
        let shells = try CompletionShells(spec)
        defer { shells.scratch.remove() }
        let result = try shells.bash(words)
        #expect(result.status == 0, "bash exited \(result.status): \(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(!shells.wasInjected, "bash ran a command substitution from the spec")
        return Set(result.candidates)
    }

    @Test func subcommandNamesNestedOnesAndHelp() throws {
        #expect(try complete(["sosplan", "pl"]) == ["plan"])
        #expect(try complete(["sosplan", ""]) == ["validate", "plan", "job", "help"])
        #expect(try complete(["sosplan", "job", ""]) == ["prolog", "epilog"])
        #expect(try complete(["sosplan", "job", "pro"]) == ["prolog"])
        // `help COMMAND...` completes command paths, not `help` itself.
        #expect(try complete(["sosplan", "help", ""]) == ["validate", "plan", "job"])
        #expect(try complete(["sosplan", "help", "job", ""]) == ["prolog", "epilog"])
    }

    @Test func optionsOfEachCommandWithHelpAndVersionButNotHiddenOnes() throws {
        #expect(try complete(["sosplan", "plan", "--fo"]) == ["--format"])
        #expect(try complete(["sosplan", "plan", "-"])
            == ["--format", "--out-dir", "-o", "--unit", "--quiet", "-w", "--help", "-h"])
        #expect(try complete(["sosplan", "-"]) == ["--help", "-h", "--version"])
        #expect(try complete(["sosplan", "job", "prolog", "--"]) == ["--layout", "--help"])
        // Not offered, though accepted: its value is still skipped (`job` is not a command here).
        #expect(try complete(["sosplan", "plan", "--se"]).isEmpty)
        #expect(try complete(["sosplan", "plan", "--secret", "job", "--q"]) == ["--quiet"])
    }

    @Test func optionValuesByTheirCompletion() throws {
        #expect(try complete(["sosplan", "plan", "--format", ""]) == ["text", "json"])
        #expect(try complete(["sosplan", "plan", "--format", "j"]) == ["json"])
        // `--name=VALUE` as one word, and as bash splits it at `=` (COMP_WORDBREAKS).
        #expect(try complete(["sosplan", "plan", "--format=t"]) == ["--format=text"])
        #expect(try complete(["sosplan", "plan", "--format", "=", "t"]) == ["text"])
        #expect(try complete(["sosplan", "plan", "--format", "="]) == ["text", "json"])
        // Directories only, by either name; files for a file value.
        #expect(try complete(["sosplan", "plan", "--out-dir", "a"]) == ["alpha"])
        #expect(try complete(["sosplan", "plan", "-o", ""]) == ["alpha", "beta"])
        #expect(try complete(["sosplan", "job", "prolog", "--layout", "a"]) == ["alpha", "apple.txt"])
        #expect(try complete(["sosplan", "plan", "-w", "a"]) == ["alpha", "apple.txt"])
        // A value with nothing to complete offers nothing (not the options, not the files).
        #expect(try complete(["sosplan", "plan", "--unit", ""]).isEmpty)
        // After a value the command's words are offered again.
        #expect(try complete(["sosplan", "plan", "--format", "json", "--o"]) == ["--out-dir"])
    }

    @Test func positionalArgumentsByTheirCompletion() throws {
        #expect(try complete(["sosplan", "validate", ""]) == ["alpha", "beta", "apple.txt", "layout.yaml"])
        #expect(try complete(["sosplan", "validate", "l"]) == ["layout.yaml"])
        // One LAYOUT only: nothing for a second argument; `plan` there is an argument, not the command.
        #expect(try complete(["sosplan", "validate", "plan", ""]).isEmpty)
        #expect(try complete(["sosplan", "validate", "plan", "-"]) == ["--help", "-h"])
        #expect(try complete(["sosplan", "job", "epilog", "12", ""]).isEmpty)
    }

    @Test func choicesComeBackLiterallyAndAreNeverRun() throws {
        #expect(try complete(["tool", "--mode", ""], spec: CompletionSample.tool) == Set(CompletionSample.hostileChoices))
        #expect(try complete(["tool", "--mode", "it"], spec: CompletionSample.tool) == ["it's"])
        #expect(try complete(["tool", "--mode", "$"], spec: CompletionSample.tool) == ["$(touch PWNED)"])
    }

    @Test func theScriptIsNamedAfterTheCommandAndRegistersItsFunction() throws {
        #expect(CompletionScript.Shell.bash.fileName(for: "sosplan") == "sosplan")
        let script = CompletionScript.render(CompletionSample.root, shell: .bash)
        #expect(script.hasSuffix("complete -F _sosplan 'sosplan'\n"))
        let shells = try CompletionShells(CompletionSample.root)
        defer { shells.scratch.remove() }
        let syntax = try shells.run(["bash", "-n", shells.script(.bash).path])
        #expect(syntax.status == 0, "\(syntax.stderr)")
    }
}
