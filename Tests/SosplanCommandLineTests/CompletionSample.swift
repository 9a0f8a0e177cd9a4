import SosplanCommandLine

/// A small command tree shaped like sosplan's, for the completion tests.
/// Every help text carries `hostile`: quotes, a command substitution that
/// would create a file named `PWNED` if a shell ran it, a backtick one,
/// brackets, colons and a backslash.
enum CompletionSample {
    static let hostile = #"it's "odd": $(touch PWNED) `touch PWNED` [x] \n $HOME"#

    /// A command line typed so far and the names every shell must offer
    /// for the next word: commands, nested ones and `help`'s.
    static let subcommandCases: [(line: String, names: [String])] = [
        ("sosplan pl", ["plan"]),
        ("sosplan ", ["validate", "plan", "job", "help"]),
        ("sosplan job ", ["prolog", "epilog"]),
        ("sosplan help ", ["validate", "plan", "job"]),
        ("sosplan help job ", ["prolog", "epilog"]),
    ]

    static let root = CommandSpec(
        name: "sosplan", abstract: "Divide a host: " + hostile, discussion: "Exit codes: 0 fine.",
        subcommands: [
            CommandSpec(
                name: "validate", abstract: "Check a layout: " + hostile,
                arguments: [ArgumentSpec("LAYOUT", help: "The layout file: " + hostile)]),
            CommandSpec(
                name: "plan", abstract: "Show the steps: " + hostile,
                options: [
                    .choice("format", ["text", "json"], default: "text", help: "Output format: " + hostile),
                    OptionSpec(long: "out-dir", short: "o", kind: .single, valueName: "DIR", help: "Write into DIR: " + hostile,
                               completion: .directory),
                    .value("secret", "TOKEN", help: "Hidden: " + hostile, hidden: true),
                    .repeated("unit", "UNIT", help: "Only this unit (repeatable): " + hostile),
                    .flag("quiet", help: "Say less: " + hostile),
                    OptionSpec(long: nil, short: "w", kind: .single, valueName: "FILE", help: "Also write to FILE: " + hostile,
                               completion: .file),
                ]),
            CommandSpec(
                name: "job", abstract: "Slurm job hooks: " + hostile,
                subcommands: [
                    CommandSpec(
                        name: "prolog", abstract: "Before a job: " + hostile,
                        options: [.value("layout", "FILE", help: "The layout: " + hostile, completion: .file, required: true)]),
                    CommandSpec(
                        name: "epilog", abstract: "After a job: " + hostile,
                        arguments: [ArgumentSpec("JOB", help: "Job ids: " + hostile, repeated: true, completion: .none)]),
                ]),
        ],
        version: "1.2.3")

    /// Choices that are themselves hostile: completed literally, never run.
    static let hostileChoices = ["it's", "$(touch PWNED)", "a:b", "[x]", #"back\slash"#]

    static let tool = CommandSpec(
        name: "tool", abstract: "A tool.",
        options: [.choice("mode", hostileChoices, default: "it's", help: "The mode.")])
}
