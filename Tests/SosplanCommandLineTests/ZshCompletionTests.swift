import SosplanCommandLine
import SosplanTestSupport
import Testing

/// The zsh script, loaded by a real zsh's `compinit` from `fpath`, and
/// completing in an interactive zsh on a pseudo-terminal.
@Suite struct ZshCompletionTests {
    func complete(_ line: String, spec: CommandSpec = CompletionSample.root) throws -> CompletionShells.Completion {
        let shells = try CompletionShells(spec)
        defer { shells.scratch.remove() }
        let result = try shells.zsh(line)
        #expect(result.status == 0, "zsh exited \(result.status) (is zsh installed?): \(result.stderr)")
        #expect(!shells.wasInjected, "zsh ran a command substitution from the spec")
        // Errors of the completion functions land on the terminal.
        for complaint in ["_arguments:", "_describe:", "command not found", "parse error", "bad pattern"] {
            #expect(!result.screen.contains(complaint), "\(result.screen)")
        }
        return result
    }

    func candidates(_ line: String, spec: CommandSpec = CompletionSample.root) throws -> Set<String> {
        Set(try complete(line, spec: spec).candidates)
    }

    @Test func theScriptParsesAndCompinitRegistersIt() throws {
        #expect(CompletionScript.Shell.zsh.fileName(for: "sosplan") == "_sosplan")
        let script = CompletionScript.render(CompletionSample.root, shell: .zsh)
        #expect(script.hasPrefix("#compdef sosplan\n"))
        let shells = try CompletionShells(CompletionSample.root)
        defer { shells.scratch.remove() }
        let syntax = try shells.run(["zsh", "-n", shells.script(.zsh).path])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        #expect(syntax.stderr.isEmpty, "\(syntax.stderr)")
        // Autoloaded from fpath by compinit; sourced, it registers itself.
        let program = #"""
            fpath=($1 $fpath)
            autoload -Uz compinit && compinit -u -D
            print -r -- "compinit: $_comps[sosplan]"
            autoload +X _sosplan && print -r -- "autoload: ok"
            unset '_comps[sosplan]'
            source $1/_sosplan
            print -r -- "sourced: $_comps[sosplan] $+functions[_sosplan_job_prolog]"
            """#
        let load = try shells.run(["zsh", "-f", "-c", program, "zsh", shells.script(.zsh).deletingLastPathComponent().path])
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stderr.isEmpty, "\(load.stderr)")
        #expect(load.stdout == "compinit: _sosplan\nautoload: ok\nsourced: _sosplan 1\n")
    }

    @Test func subcommandNamesNestedOnesAndHelp() throws {
        for (line, names) in CompletionSample.subcommandCases {
            #expect(try candidates(line) == Set(names), "\(line)")
        }
    }

    /// The listing shows the help texts exactly: quotes, `$(...)`,
    /// backticks, brackets, colons and backslashes survived `_describe`
    /// and `_arguments`.
    @Test func descriptionsAreTheHelpTextsVerbatim() throws {
        let commands = try complete("sosplan ").screen
        #expect(commands.contains("-- Show the steps: " + CompletionSample.hostile))
        #expect(commands.contains("-- Slurm job hooks: " + CompletionSample.hostile))
        let options = try complete("sosplan plan -").screen
        #expect(options.contains("-- Output format: " + CompletionSample.hostile))
        #expect(options.contains("-- Write into DIR: " + CompletionSample.hostile))
        #expect(!options.contains("Hidden"))
    }

    @Test func optionsOfEachCommandWithHelpAndVersionButNotHiddenOnes() throws {
        #expect(try candidates("sosplan plan --fo") == ["--format"])
        #expect(try candidates("sosplan plan -") == ["--format", "--out-dir", "-o", "--unit", "--quiet", "-w", "--help", "-h"])
        #expect(try candidates("sosplan -") == ["--help", "-h", "--version"])
        #expect(try candidates("sosplan job prolog --") == ["--layout", "--help"])
    }

    /// A hidden option is never offered, but its value is skipped like any
    /// other's (`_arguments`' `!` form): the words after it complete as
    /// they would without it.
    @Test func aHiddenOptionsValueIsSkipped() throws {
        #expect(try candidates("sosplan plan --secret tok --q") == ["--quiet"])
        #expect(try candidates("sosplan plan --secret=tok -") == ["--format", "--out-dir", "-o", "--unit", "--quiet", "-w", "--help", "-h"])
        #expect(try candidates("sosplan plan --secret -") == [], "the word after --secret is its value")
    }

    @Test func optionValuesByTheirCompletion() throws {
        #expect(try candidates("sosplan plan --format ") == ["text", "json"])
        #expect(try candidates("sosplan plan --format=j") == ["json"])
        #expect(try candidates("sosplan plan --out-dir a") == ["alpha"])
        #expect(try candidates("sosplan plan -o ") == ["alpha", "beta"])
        #expect(try candidates("sosplan job prolog --layout a") == ["alpha", "apple.txt"])
        #expect(try candidates("sosplan plan -w a") == ["alpha", "apple.txt"])
    }

    @Test func positionalArgumentsByTheirCompletion() throws {
        #expect(try candidates("sosplan validate ") == ["alpha", "beta", "apple.txt", "layout.yaml"])
        #expect(try candidates("sosplan validate plan -") == ["--help", "-h"])
    }

    @Test func choicesComeBackLiterallyAndAreNeverRun() throws {
        #expect(try candidates("tool --mode ", spec: CompletionSample.tool) == Set(CompletionSample.hostileChoices))
        #expect(try candidates("tool --mode it", spec: CompletionSample.tool) == ["it's"])
    }
}
