import SosplanCommandLine
import Testing

/// The parser against a small tree shaped like sosplan's: subcommands
/// first, options anywhere, values after a space or `=`, help and version
/// before anything else, and a usage error for each mistake.
@Suite struct CommandLineParserTests {
    static let root = CommandSpec(
        name: "tool", abstract: "Do things.",
        subcommands: [
            CommandSpec(
                name: "plan", abstract: "Plan.",
                arguments: [ArgumentSpec("LAYOUT", help: "The layout.")],
                options: [
                    .value("root", "DIR", help: "Where.", completion: .directory),
                    .flag("no-systemd", help: "No systemd."),
                    .choice("format", ["text", "json"], default: "text", help: "Format."),
                    OptionSpec(long: nil, short: "o", kind: .single, valueName: "FILE", help: "Output."),
                    .repeated("unit", "UNIT", help: "A unit."),
                    .value("lock-timeout", "SECONDS", help: "Wait.", default: "0"),
                    .value("trigger", "WORD", help: "Why.", hidden: true),
                ]),
            CommandSpec(
                name: "validate", abstract: "Check.",
                arguments: [ArgumentSpec("FILE", help: "Files.", repeated: true)]),
            CommandSpec(
                name: "job", abstract: "Jobs.",
                subcommands: [
                    CommandSpec(name: "prolog", abstract: "Start.", options: [.value("layout", "FILE", help: "The layout.", required: true)]),
                ]),
        ],
        version: "1.2.3")

    enum Format: String { case text, json }

    func run(_ words: [String]) throws -> ParsedCommand {
        guard case .run(let parsed) = try CommandLineParser.parse(words, root: Self.root) else {
            Issue.record("\(words) is not a command to run")
            throw UsageError("not run")
        }
        return parsed
    }

    func failure(_ words: [String]) -> CommandLineFailure? {
        do {
            _ = try CommandLineParser.parse(words, root: Self.root)
            return nil
        } catch {
            return error
        }
    }

    @Test func optionsTakeTheirValuesInEveryFormAndAnyOrder() throws {
        let p = try run(["plan", "--root=/r", "-o", "out.json", "L.yaml", "--unit", "a.service", "--no-systemd", "--unit=b.service", "--format", "json"])
        #expect(p.path == ["tool", "plan"])
        #expect(p.arguments == ["L.yaml"])
        #expect(p.value("root") == "/r")
        #expect(p.value("o") == "out.json")
        #expect(p.values("unit") == ["a.service", "b.service"])
        #expect(p.flag("no-systemd"))
        #expect(try p.choice("format") == Format.json)
        // Not given: the spec's default, written once where --help shows it.
        #expect(try p.double("lock-timeout") == 0)
    }

    @Test func aShortOptionTakesAnAttachedValueAndTheLastOfARepeatedSingleOptionWins() throws {
        let p = try run(["plan", "L", "-oplan.json", "--root", "/a", "--root", "/b"])
        #expect(p.value("o") == "plan.json")
        #expect(p.value("root") == "/b")
        #expect(!p.flag("no-systemd"))
        #expect(p.values("unit").isEmpty)
    }

    @Test func dashIsAValueAndDoubleDashEndsTheOptions() throws {
        #expect(try run(["validate", "-", "a.yaml"]).arguments == ["-", "a.yaml"])
        #expect(try run(["validate", "--", "--weird.yaml"]).arguments == ["--weird.yaml"])
        #expect(try run(["plan", "L", "--lock-timeout", "-1"]).value("lock-timeout") == "-1")
        #expect(try run(["plan", "L", "--root=--odd"]).value("root") == "--odd")
    }

    @Test func helpAndVersionWinOverErrorsAndStopAtDoubleDash() throws {
        guard case .help(let path) = try CommandLineParser.parse(["plan", "--bogus", "-h"], root: Self.root) else {
            Issue.record("-h is not help")
            return
        }
        #expect(path.map(\.name) == ["tool", "plan"])
        guard case .help(let deep) = try CommandLineParser.parse(["help", "job", "prolog"], root: Self.root) else {
            Issue.record("help job prolog is not help")
            return
        }
        #expect(deep.map(\.name) == ["tool", "job", "prolog"])
        guard case .version(let v) = try CommandLineParser.parse(["plan", "--version"], root: Self.root) else {
            Issue.record("--version is not the version")
            return
        }
        #expect(v == "1.2.3")
        guard case .help(let bare) = try CommandLineParser.parse([], root: Self.root) else {
            Issue.record("nothing is not help")
            return
        }
        #expect(bare.map(\.name) == ["tool"])
        #expect(try run(["validate", "--", "--help"]).arguments == ["--help"])
    }

    @Test func eachMistakeIsAUsageErrorNamingWhatWasExpected() {
        let cases: [([String], String, String?)] = [
            (["plan"], "Missing expected argument '<LAYOUT>'", "<LAYOUT>  The layout."),
            (["plan", "L", "M"], "Unexpected argument 'M'", nil),
            (["plan", "L", "--formt", "json"], "Unknown option '--formt'. Did you mean '--format'?", nil),
            (["plan", "L", "--root"], "Missing value for '--root <DIR>'", "--root <DIR>  Where."),
            (["plan", "L", "--root", "--no-systemd"], "Missing value for '--root <DIR>'", "--root <DIR>  Where."),
            (["plan", "L", "--no-systemd=yes"], "The option '--no-systemd' does not take any value, but 'yes' was specified.", nil),
            (["validate"], "Missing expected argument '<FILE> ...'", "<FILE>  Files."),
            (["job", "prolog"], "Missing expected argument '--layout <FILE>'", "--layout <FILE>  The layout."),
            (["job", "bogus"], "Unknown command 'bogus'", nil),
            (["plna"], "Unknown command 'plna'. Did you mean 'plan'?", nil),
            (["help", "nothing"], "Unknown command 'nothing'", nil),
            // What the user typed is shown as the project shows every input (ControlCharacters),
            // never sent raw: an escape sequence or a line break stays one line.
            (["plan", "L", "--\u{1B}[31mred\nline"], "Unknown option '--\\e[31mred\\nline'", nil),
            (["plan", "L", "x\u{7}"], "Unexpected argument 'x\\x07'", nil),
        ]
        for (words, message, help) in cases {
            let f = failure(words)
            #expect(f?.error.message == message, "\(words)")
            #expect(f?.error.help == help, "\(words)")
        }
        #expect(failure(["job", "prolog"])?.path.map(\.name) == ["tool", "job", "prolog"])
    }

    @Test func typedValuesThatDoNotParseNameTheOptionAndTheChoices() throws {
        let p = try run(["plan", "L", "--format", "yaml", "--lock-timeout", "soon"])
        #expect(throws: UsageError(
            "The value 'yaml' is invalid for '--format <format>'. Please provide one of 'text' and 'json'.",
            help: "--format <format>  Format.")) { let _: Format = try p.choice("format") }
        #expect(throws: UsageError(
            "The value 'soon' is invalid for '--lock-timeout <SECONDS>': expected a number",
            help: "--lock-timeout <SECONDS>  Wait.")) { try p.double("lock-timeout") }
        let inf = try run(["plan", "L", "--lock-timeout", "inf"])
        #expect(throws: UsageError.self) { try inf.double("lock-timeout") }
    }

    @Test func aHiddenOptionIsAcceptedButNotSuggested() throws {
        #expect(try run(["plan", "L", "--trigger", "boot"]).value("trigger") == "boot")
        #expect(failure(["plan", "L", "--triger", "x"])?.error.message == "Unknown option '--triger'")
    }
}
