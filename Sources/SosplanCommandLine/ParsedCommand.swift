/// What the parser found for one command: its path (`sosplan job prolog`),
/// the values of its options and its positional arguments, still as the
/// user's strings. The command turns them into typed values at once, with
/// the accessors below; a value that does not parse is a `UsageError`
/// naming the option.
public struct ParsedCommand: Sendable {
    public let spec: CommandSpec
    /// The command names from the root: `["sosplan", "job", "prolog"]`.
    public let path: [String]
    public let arguments: [String]
    let values: [String: [String]]

    init(spec: CommandSpec, path: [String], values: [String: [String]], arguments: [String]) {
        self.spec = spec
        self.path = path
        self.values = values
        self.arguments = arguments
    }

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

    /// Every value of a repeatable option, in order.
    public func values(_ name: String) -> [String] { values[declared(name).key] ?? [] }

    /// The value of a required option (the parser has checked it is there).
    public func required(_ name: String) -> String {
        let option = declared(name)
        precondition(option.isRequired, "\(name) is not required")
        return values[option.key]?.last ?? ""
    }

    /// A number of seconds or similar: finite, as written by a person.
    public func double(_ name: String, default fallback: Double) throws(UsageError) -> Double {
        guard let text = value(name) else { return fallback }
        guard let v = Double(text), v.isFinite else {
            throw UsageError("The value '\(UsageError.shown(text))' is invalid for '\(declared(name).display)': expected a number", about: declared(name))
        }
        return v
    }

    /// One of the option's fixed words.
    public func choice<T: RawRepresentable>(_ name: String, default fallback: T) throws(UsageError) -> T where T.RawValue == String {
        guard let text = value(name) else { return fallback }
        guard let v = T(rawValue: text) else {
            let option = declared(name)
            let choices = option.choices.map { "'\($0)'" }
            throw UsageError("The value '\(UsageError.shown(text))' is invalid for '\(option.display)'. Please provide one of \(Self.list(choices)).", about: option)
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
