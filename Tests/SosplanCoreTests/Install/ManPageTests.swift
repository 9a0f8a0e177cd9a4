import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan.1` from a command tree in swift-argument-parser's JSON form.
@Suite struct ManPageTests {
    /// A small tree in `--experimental-dump-help` form (ToolInfoV0).
    static let tree = #"""
        {"serializationVersion": 0, "command": {
          "commandName": "tool", "abstract": "Do things - quickly.",
          "discussion": "Exit codes: 0 fine, 1 not.",
          "shouldDisplay": true,
          "arguments": [
            {"kind": "flag", "shouldDisplay": true, "isOptional": true, "isRepeating": false, "parsingStrategy": "default",
             "names": [{"kind": "long", "name": "version"}], "abstract": "Show the version."},
            {"kind": "flag", "shouldDisplay": true, "isOptional": true, "isRepeating": false, "parsingStrategy": "default",
             "names": [{"kind": "short", "name": "h"}, {"kind": "long", "name": "help"}], "abstract": "Show help information."}
          ],
          "subcommands": [
            {"commandName": "run", "abstract": "Run FILE.", "superCommands": ["tool"], "shouldDisplay": true,
             "discussion": "First paragraph with a \\backslash → arrow.\n\n.starts with a dot\nsecond line",
             "arguments": [
               {"kind": "positional", "shouldDisplay": true, "isOptional": false, "isRepeating": true,
                "parsingStrategy": "default", "valueName": "FILE", "abstract": "Files to run."},
               {"kind": "option", "shouldDisplay": true, "isOptional": true, "isRepeating": false,
                "parsingStrategy": "default", "names": [{"kind": "short", "name": "f"}, {"kind": "long", "name": "format"}],
                "valueName": "format", "defaultValue": "text", "allValues": ["text", "json"], "abstract": "Output format."},
               {"kind": "option", "shouldDisplay": false, "isOptional": true, "isRepeating": false,
                "parsingStrategy": "default", "names": [{"kind": "long", "name": "secret"}], "valueName": "x"}
             ]},
            {"commandName": "help", "abstract": "Show subcommand help information.", "superCommands": ["tool"],
             "shouldDisplay": false}
          ]}}
        """#

    @Test func aSmallTreeRendersAsItsGolden() throws {
        let page = try ManPage.render(helpJSON: Self.tree, version: "1.2.3")
        let outcome = Golden.check(page, against: RepositoryPaths.tests.appendingPathComponent("Goldens/Install/tool.1"))
        #expect(outcome.isMatch, "\(outcome.message)")
    }

    @Test func sectionsCommandsAndOptionsAreThereAndHiddenOnesAreNot() throws {
        let page = try ManPage.render(helpJSON: Self.tree, version: "1.2.3")
        let lines = page.split(separator: "\n").map(String.init)
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS", ".SH EXIT STATUS"] {
            #expect(lines.contains(section), "\(section)")
        }
        #expect(lines.contains(".SS \"tool run\""))
        #expect(lines.contains(#"\fB\-f, \-\-format\fR \fIformat\fR"#))
        #expect(lines.contains("Output format. (one of: text, json) (default: text)"))
        #expect(!page.contains("secret"))
        #expect(!page.contains("Show subcommand help"))
        // Text never starts a line with a request character, and backslashes are escaped.
        #expect(lines.contains(#"\&.starts with a dot"#))
        #expect(page.contains(#"a \ebackslash \[u2192] arrow"#))
    }

    @Test func notJSONIsAClearFailure() {
        #expect(throws: ManPage.Failure.self) { _ = try ManPage.render(helpJSON: "{", version: "1") }
        #expect(throws: ManPage.Failure.self) { _ = try ManPage.render(helpJSON: "{}", version: "1") }
    }
}
