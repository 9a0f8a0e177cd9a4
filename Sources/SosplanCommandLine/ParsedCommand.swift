import SosplanCore

/// What the parser found for one command: its path (`sosplan job prolog`),
/// the values of its options and its positional arguments, still as the
/// user's strings. The command turns them into typed values at once, with
/// the accessors below; a value that does not parse is a `UsageError`
/// naming the option.
public struct ParsedCommand: Sendable {
    /// The commands from the root to this one, for its usage line.
    public let specs: [CommandSpec]
    public let arguments: [String]
    let values: [String: [String]]

    init(specs: [CommandSpec], values: [String: [String]], arguments: [String]) {
        self.specs = specs
        self.values = values
        self.arguments = arguments
    }

    public var spec: CommandSpec { specs[specs.count - 1] }

    /// The command names from the root: `["sosplan", "job", "prolog"]`.
    public var path: [String] { specs.map(\.name) }

    /// Asking for an option the spec does not declare is a bug in sosplan,
    /// not in the command line.
    private func declared(_ name: String) -> OptionSpec {
        guard let option = spec.option(named: name) else {
            preconditionFailure("\(path.joined(separator: " ")) has no option \(name)")
        }
        return option
    }

    public func flag(_ name: String) -> Bool {
        let option = declared(name)
        precondition(option.kind == .flag, "\(name) is not a flag")
        return values[option.key] != nil
    }

    /// The value of a single option: the last one given.
    public func value(_ name: String) -> String? { values[declared(name).key]?.last }

    /// The value given, else the spec's default: the default is written
    /// once, where `--help` shows it.
    public func valueOrDefault(_ name: String) -> String {
        guard let v = value(name) else { return defaultText(name) }
        return v
    }

    private func defaultText(_ name: String) -> String {
        guard let d = declared(name).defaultText else { preconditionFailure("\(name) has no default") }
        return d
    }

    /// Every value of a repeatable option, in order.
    public func values(_ name: String) -> [String] { values[declared(name).key] ?? [] }

    /// The value of a required option (the parser has checked it is there).
    public func required(_ name: String) -> String {
        let option = declared(name)
        precondition(option.isRequired, "\(name) is not required")
        return values[option.key]?.last ?? ""
    }

    /// A number of seconds or similar: finite, as written by a person.
    /// The value given or the spec's default.
    public func double(_ name: String) throws(UsageError) -> Double {
        guard let text = value(name) else {
            guard let v = Double(defaultText(name)) else { preconditionFailure("\(name)'s default is not a number") }
            return v
        }
        guard let v = Double(text), v.isFinite else {
            throw UsageError("The value '\(ControlCharacters.shown(text))' is invalid for '\(declared(name).display)': expected a number", about: declared(name))
        }
        return v
    }

    /// One of the option's fixed words, given or the spec's default.
    public func choice<T: RawRepresentable>(_ name: String) throws(UsageError) -> T where T.RawValue == String {
        guard let text = value(name) else {
            guard let v = T(rawValue: defaultText(name)) else { preconditionFailure("\(name)'s default is not one of \(T.self)") }
            return v
        }
        guard let v = T(rawValue: text) else {
            let option = declared(name)
            let choices = option.choices.map { "'\($0)'" }
            throw UsageError("The value '\(ControlCharacters.shown(text))' is invalid for '\(option.display)'. Please provide one of \(Self.list(choices)).", about: option)
        }
        return v
    }

    /// The positional argument at `index`, when given.
    public func argument(_ index: Int) -> String? { index < arguments.count ? arguments[index] : nil }

    static func list(_ words: [String]) -> String {
        switch words.count {
        case 0: return ""
        case 1: return words[0]
        default: return words.dropLast().joined(separator: ", ") + " and " + (words.last ?? "")
        }
    }
}
