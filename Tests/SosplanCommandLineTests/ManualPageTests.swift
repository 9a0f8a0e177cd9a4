import SosplanCommandLine
import SosplanTestSupport
import Testing

/// `sosplan.1` from a command tree.
@Suite struct ManualPageTests {
    /// The tree Core's ManPageTests gave as ArgumentParser JSON, as a spec:
    /// the same golden (`tool.1`) must come out.
    static let tree = CommandSpec(
        name: "tool", abstract: "Do things - quickly.", discussion: "Exit codes: 0 fine, 1 not.",
        subcommands: [
            CommandSpec(
                name: "run", abstract: "Run FILE.",
                discussion: "First paragraph with a \\backslash → arrow.\n\n.starts with a dot\nsecond line",
                arguments: [ArgumentSpec("FILE", help: "Files to run.", repeated: true)],
                options: [
                    OptionSpec(long: "format", short: "f", kind: .single, valueName: "format", help: "Output format.",
                               completion: .choices(["text", "json"]), defaultText: "text"),
                    .value("secret", "x", help: "Not for people.", hidden: true),
                ]),
        ],
        version: "1.2.3")

    @Test func aSmallTreeRendersAsItsGolden() {
        let page = ManualPage.render(Self.tree)
        let outcome = Golden.check(page, against: RepositoryPaths.tests.appendingPathComponent("Goldens/Install/tool.1"))
        #expect(outcome.isMatch, "\(outcome.message)")
    }

    @Test func sectionsCommandsAndOptionsAreThereAndHiddenOnesAreNot() {
        let page = ManualPage.render(Self.tree)
        let lines = page.split(separator: "\n").map(String.init)
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH EXIT STATUS"] {
            #expect(lines.contains(section), "\(section)")
        }
        #expect(lines.contains(".SS \"tool run\""))
        #expect(lines.contains(#"\fB\-f, \-\-format\fR \fIformat\fR"#))
        #expect(lines.contains("Output format. (one of: text, json) (default: text)"))
        #expect(!page.contains("secret"))
        #expect(!page.contains("Not for people"))
        // The implicit help and version flags and the `help` pseudo-command are not listed.
        #expect(!page.contains(#"\-\-help"#))
        #expect(!page.contains(#"\-\-version"#))
        #expect(!lines.contains(".B help"))
        // Text never starts a line with a request character, and backslashes are escaped.
        #expect(lines.contains(#"\&.starts with a dot"#))
        #expect(page.contains(#"a \ebackslash \[u2192] arrow"#))
    }

    /// Root options get their own section; nested commands their full path;
    /// flags no value; optional arguments brackets; no version, no `version` text.
    @Test func rootOptionsNestedCommandsFlagsAndOptionalArguments() {
        let tree = CommandSpec(
            name: "tool", abstract: "Do things.",
            // A help flag spelled out is left out like the implicit one.
            options: [.flag("quiet", help: "Say less."), .flag("help", help: "Show help.")],
            subcommands: [
                CommandSpec(
                    name: "job", abstract: "Job hooks.",
                    subcommands: [
                        CommandSpec(
                            name: "prolog", abstract: "Before a job.",
                            arguments: [ArgumentSpec("ID", help: "The job.", optional: true)],
                            options: [
                                .value("layout", "FILE", help: "The layout.", completion: .file, default: "/etc/x.yaml"),
                                .repeated("unit", "UNIT", help: "A unit."),
                            ]),
                    ]),
            ])
        let lines = ManualPage.render(tree).split(separator: "\n").map(String.init)
        #expect(lines.contains(#".TH TOOL 1 "" "tool " "User Commands""#))
        let options = lines.firstIndex(of: ".SH OPTIONS")
        #expect(options.map { Array(lines[$0...].prefix(4)) } == [".SH OPTIONS", ".TP", #"\fB\-\-quiet\fR"#, "Say less."])
        let prolog = lines.firstIndex(of: #".SS "tool job prolog""#)
        #expect(prolog.map { Array(lines[$0...].prefix(4)) }
            == [#".SS "tool job prolog""#, #".B tool job prolog"#, ".RI [ OPTIONS ]", ".RI [ ID ]"])
        #expect(lines.contains(#".SS "tool job""#))
        // `job` has no options of its own: no OPTIONS in its synopsis.
        let job = lines.firstIndex(of: #".SS "tool job""#)
        #expect(job.map { lines[$0 + 2] } == ".PP")
        #expect(lines.contains(#"\fB\-\-layout\fR \fIFILE\fR"#))
        #expect(lines.contains(#"The layout. (default: /etc/x.yaml)"#))
        #expect(lines.contains(#"\fB\-\-unit\fR \fIUNIT\fR"#))
        #expect(!lines.contains(".SH EXIT STATUS"))
        #expect(!lines.contains(#"\fB\-\-help\fR"#))
    }
}
