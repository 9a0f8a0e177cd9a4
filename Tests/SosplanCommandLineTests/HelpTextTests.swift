import SosplanCommandLine
import Testing

/// `--help` and the usage lines, from the same tree the parser reads.
@Suite struct HelpTextTests {
    let root = CommandLineParserTests.root

    @Test func aCommandsHelpListsItsArgumentsVisibleOptionsAndDefaults() throws {
        let plan = try #require(root.subcommand(named: "plan"))
        let text = HelpText.render([root, plan])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "OVERVIEW: Plan.")
        #expect(lines.contains("USAGE: tool plan [<options>] <LAYOUT>"))
        #expect(lines.contains("  <LAYOUT>                The layout."))
        #expect(lines.contains("  --root <DIR>            Where."))
        #expect(lines.contains("  --format <format>       Format. (values: text, json; default: text)"))
        #expect(lines.contains("  -o <FILE>               Output."))
        #expect(lines.contains("  -h, --help              Show help information."))
        #expect(!text.contains("--trigger"))
        #expect(!text.contains("--version"))
        #expect(lines.allSatisfy { $0.count <= 80 })
    }

    @Test func theRootListsItsCommandsAndTheVersionAndLongTextWraps() {
        let text = HelpText.render([root])
        #expect(text.contains("USAGE: tool <subcommand>\n"))
        #expect(text.contains("\n  --version               Show the version.\n"))
        #expect(text.contains("\nSUBCOMMANDS:\n  plan                    Plan.\n"))
        #expect(text.contains("  See 'tool help <subcommand>' for detailed help.\n"))
        let long = CommandSpec(
            name: "x", abstract: String(repeating: "word ", count: 40),
            options: [.value("a-rather-long-option-name", "VALUE", help: String(repeating: "more ", count: 20))])
        let wrapped = HelpText.render([long])
        let lines = wrapped.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.count <= 80 }, "\(wrapped)")
        // A name longer than the column puts its text on the next line, in column 27.
        #expect(lines.contains("  --a-rather-long-option-name <VALUE>"))
        #expect(lines.contains { $0.hasPrefix(String(repeating: " ", count: 26) + "more more") })
    }

    @Test func usageLinesShowRequiredOptionsOptionalAndRepeatedArguments() throws {
        let job = try #require(root.subcommand(named: "job"))
        let prolog = try #require(job.subcommand(named: "prolog"))
        #expect(HelpText.usage([root, job, prolog]) == "tool job prolog --layout <FILE>")
        #expect(HelpText.usage([root, job]) == "tool job <subcommand>")
        let validate = try #require(root.subcommand(named: "validate"))
        #expect(HelpText.usage([root, validate]) == "tool validate <FILE> ...")
        let show = CommandSpec(name: "show", abstract: "", arguments: [ArgumentSpec("LAYOUT", help: "", optional: true)], options: [.flag("x", help: "")])
        #expect(HelpText.usage([root, show]) == "tool show [<options>] [<LAYOUT>]")
    }

    @Test func aFailureSaysTheErrorTheHelpOfWhatWasMisusedAndTheUsage() throws {
        let plan = try #require(root.subcommand(named: "plan"))
        let text = HelpText.failure(UsageError("Missing value for '--root <DIR>'", help: "--root <DIR>  Where."), path: [root, plan])
        #expect(text == """
            Error: Missing value for '--root <DIR>'
            Help:  --root <DIR>  Where.
            Usage: tool plan [<options>] <LAYOUT>
              See 'tool plan --help' for more information.

            """)
    }
}
