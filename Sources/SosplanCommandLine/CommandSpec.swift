/// One command of the command line as data: its name, what it says in
/// `--help`, its positional arguments, options and subcommands. The parser,
/// the help text, the shell completions and the manual page are all read
/// from it, so they cannot disagree.
public struct CommandSpec: Sendable {
    public var name: String
    public var abstract: String
    /// Paragraphs after the abstract in `--help` and the manual.
    public var discussion: String
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    public var subcommands: [CommandSpec]
    /// Given on the root command only: what `--version` prints.
    public var version: String?

    public init(
        name: String, abstract: String, discussion: String = "", arguments: [ArgumentSpec] = [],
        options: [OptionSpec] = [], subcommands: [CommandSpec] = [], version: String? = nil
    ) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.arguments = arguments
        self.options = options
        self.subcommands = subcommands
        self.version = version
    }

    public func subcommand(named name: String) -> CommandSpec? { subcommands.first { $0.name == name } }

    /// The option `--name` (or `-n` for a one-character name).
    public func option(named name: String) -> OptionSpec? {
        options.first { $0.long == name || ($0.long == nil && $0.short.map(String.init) == name) }
    }
}

/// A positional argument: `<LAYOUT>`, `[<LAYOUT>]` or `<FILE> ...`.
public struct ArgumentSpec: Sendable {
    public var valueName: String
    public var help: String
    public var isOptional: Bool
    /// Takes every remaining positional argument (the last argument only).
    public var isRepeated: Bool
    public var completion: ValueCompletion

    public init(_ valueName: String, help: String, optional: Bool = false, repeated: Bool = false, completion: ValueCompletion = .file) {
        self.valueName = valueName
        self.help = help
        self.isOptional = optional
        self.isRepeated = repeated
        self.completion = completion
    }

    /// `<LAYOUT>` as usage lines and messages show it.
    public var display: String { "<\(valueName)>" }
}

/// An option: a flag (`--yes`), an option with one value (`--root DIR`,
/// the last given wins) or a repeatable one (`--unit U --unit V`).
public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case flag, single, repeated
    }

    /// Without the dashes: `root` for `--root`.
    public var long: String?
    /// Without the dash: `o` for `-o`.
    public var short: Character?
    public var kind: Kind
    /// `DIR` in `--root <DIR>`.
    public var valueName: String
    public var help: String
    public var completion: ValueCompletion
    /// Shown in help as `default: ...`; the command supplies the value itself.
    public var defaultText: String?
    /// A required single option (`--layout FILE` of `job prolog`).
    public var isRequired: Bool
    /// Accepted but left out of `--help`, the completions and the manual.
    public var isHidden: Bool

    public init(
        long: String?, short: Character? = nil, kind: Kind, valueName: String = "", help: String,
        completion: ValueCompletion = .none, defaultText: String? = nil, required: Bool = false, hidden: Bool = false
    ) {
        precondition(long != nil || short != nil, "an option needs a name")
        self.long = long
        self.short = short
        self.kind = kind
        self.valueName = valueName
        self.help = help
        self.completion = completion
        self.defaultText = defaultText
        self.isRequired = required
        self.isHidden = hidden
    }

    /// `--NAME`: a flag.
    public static func flag(_ long: String, help: String, hidden: Bool = false) -> OptionSpec {
        OptionSpec(long: long, kind: .flag, help: help, hidden: hidden)
    }

    /// `--NAME VALUE`, given at most once (a second one wins).
    public static func value(
        _ long: String, _ valueName: String, help: String, completion: ValueCompletion = .none,
        default defaultText: String? = nil, required: Bool = false, hidden: Bool = false
    ) -> OptionSpec {
        OptionSpec(long: long, kind: .single, valueName: valueName, help: help, completion: completion,
                   defaultText: defaultText, required: required, hidden: hidden)
    }

    /// `--NAME VALUE`, repeatable.
    public static func repeated(_ long: String, _ valueName: String, help: String, completion: ValueCompletion = .none) -> OptionSpec {
        OptionSpec(long: long, kind: .repeated, valueName: valueName, help: help, completion: completion)
    }

    /// `--NAME WORD` where WORD is one of a fixed list.
    public static func choice(_ long: String, _ choices: [String], default defaultValue: String, help: String) -> OptionSpec {
        OptionSpec(long: long, kind: .single, valueName: long, help: help, completion: .choices(choices), defaultText: defaultValue)
    }

    /// `--NAME WORD` where WORD is a case of `T` (its raw value). Inlinable:
    /// unspecialized, `T.AllCases` is looked up by mangled name at run time,
    /// 2% of `sosplan --version`.
    @inlinable
    public static func choice<T: CaseIterable & RawRepresentable>(
        _ long: String, _ type: T.Type, default defaultValue: T, help: String
    ) -> OptionSpec where T.RawValue == String {
        choice(long, type.allCases.map { $0.rawValue }, default: defaultValue.rawValue, help: help)
    }

    /// The name values are stored under: the long name, else the short one.
    public var key: String { long ?? short.map(String.init) ?? "" }

    /// `--root` or `-o`: the name usage lines and messages use.
    public var preferredName: String { long.map { "--" + $0 } ?? short.map { "-\($0)" } ?? "" }

    /// `--root <DIR>`, `-o <FILE>` or `--yes`.
    public var display: String { kind == .flag ? preferredName : "\(preferredName) <\(valueName)>" }

    /// The choices of a `choice` option.
    public var choices: [String] {
        if case .choices(let c) = completion { return c }
        return []
    }
}

/// What a shell may complete a value with.
public enum ValueCompletion: Sendable, Equatable {
    case none
    case file
    case directory
    case choices([String])
}
