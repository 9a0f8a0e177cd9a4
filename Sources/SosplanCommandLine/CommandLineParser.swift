import SosplanCore

/// Parses `argv` against a `CommandSpec` tree, the way users of
/// swift-argument-parser tools expect: subcommand names first, then
/// options and positional arguments in any order; `--name VALUE`,
/// `--name=VALUE`, `-o VALUE`, `-oVALUE`; `--` ends the options; `-h`,
/// `--help`, `help COMMAND` and `--version` anywhere before `--`. A value
/// may not look like an option (`--root --yes` is a missing value), except
/// `-` (standard input) and after `=`.
public enum CommandLineParser {
    public static func parse(_ arguments: [String], root: CommandSpec) throws(CommandLineFailure) -> CommandLineRequest {
        var path = [root]
        var rest = arguments[...]
        if rest.first == "help" {
            rest = rest.dropFirst()
            while let name = rest.first {
                guard let sub = path[path.count - 1].subcommand(named: name) else {
                    throw CommandLineFailure(UsageError("Unknown command '\(ControlCharacters.shown(name))'"), path: path)
                }
                path.append(sub)
                rest = rest.dropFirst()
            }
            return .help(path)
        }
        while let name = rest.first, let sub = path[path.count - 1].subcommand(named: name) {
            path.append(sub)
            rest = rest.dropFirst()
        }
        // Help and version win over any error in the rest of the line.
        for word in rest {
            if word == "--" { break }
            if word == "-h" || word == "--help" { return .help(path) }
            if word == "--version", let version = root.version { return .version(version) }
        }
        let command = path[path.count - 1]
        if !command.subcommands.isEmpty {
            guard let word = rest.first else { return .help(path) }
            let message = (word.hasPrefix("-") ? "Unknown option '" : "Unknown command '") + ControlCharacters.shown(word) + "'"
            throw CommandLineFailure(UsageError(message + suggestion(for: word, among: command.subcommands.map(\.name))), path: path)
        }
        do {
            return .run(try parseLeaf(rest, path: path))
        } catch {
            throw CommandLineFailure(error, path: path)
        }
    }

    static func parseLeaf(_ words: ArraySlice<String>, path: [CommandSpec]) throws(UsageError) -> ParsedCommand {
        let command = path[path.count - 1]
        var values: [String: [String]] = [:]
        var positionals: [String] = []
        var i = words.startIndex
        var optionsEnded = false
        while i < words.endIndex {
            let word = words[i]
            i += 1
            if optionsEnded || !looksLikeOption(word) {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let (name, attached) = split(word)
            guard let option = find(name, in: command) else {
                let known = command.options.filter { !$0.isHidden }.map(\.preferredName) + ["--help"]
                throw UsageError("Unknown option '\(ControlCharacters.shown(name))'" + suggestion(for: name, among: known))
            }
            if option.kind == .flag {
                if let attached {
                    throw UsageError("The option '\(option.preferredName)' does not take any value, but '\(ControlCharacters.shown(attached))' was specified.")
                }
                values[option.key, default: []].append("")
                continue
            }
            let value: String
            if let attached {
                value = attached
            } else if i < words.endIndex, !looksLikeOption(words[i]) {
                value = words[i]
                i += 1
            } else {
                throw UsageError("Missing value for '\(option.display)'", about: option)
            }
            values[option.key, default: []].append(value)
        }
        for option in command.options where option.isRequired && values[option.key] == nil {
            throw UsageError("Missing expected argument '\(option.display)'", about: option)
        }
        let arguments = command.arguments
        var index = 0
        for argument in arguments {
            if argument.isRepeated {
                if index >= positionals.count && !argument.isOptional {
                    throw UsageError("Missing expected argument '\(argument.display) ...'", about: argument)
                }
                index = positionals.count
            } else if index < positionals.count {
                index += 1
            } else if !argument.isOptional {
                throw UsageError("Missing expected argument '\(argument.display)'", about: argument)
            }
        }
        if index < positionals.count {
            throw UsageError("Unexpected argument '\(ControlCharacters.shown(positionals[index]))'")
        }
        return ParsedCommand(specs: path, values: values, arguments: positionals)
    }

    /// `-`, the empty word and negative-looking numbers are values; the
    /// rest that begins with `-` is an option.
    static func looksLikeOption(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word != "-" else { return false }
        return word.dropFirst().first.map { !$0.isNumber && $0 != "." } ?? false
    }

    /// `--name=value` → (`--name`, `value`); `-ovalue` → (`-o`, `value`).
    static func split(_ word: String) -> (String, String?) {
        if word.hasPrefix("--") {
            guard let eq = word.firstIndex(of: "=") else { return (word, nil) }
            return (String(word[..<eq]), String(word[word.index(after: eq)...]))
        }
        let name = String(word.prefix(2))
        var value = word.dropFirst(2)
        if value.first == "=" { value = value.dropFirst() }
        return (name, word.count > 2 ? String(value) : nil)
    }

    static func find(_ name: String, in command: CommandSpec) -> OptionSpec? {
        if name.hasPrefix("--") {
            let long = name.dropFirst(2)
            return command.options.first { $0.long.map { $0[...] == long } ?? false }
        }
        let short = name.dropFirst().first
        return command.options.first { $0.short != nil && $0.short == short }
    }

    /// ` Did you mean '--format'?` for a near miss (the layout's own
    /// suggestions: edit distance, case, `-` and `_` ignored).
    static func suggestion(for word: String, among names: [String]) -> String {
        guard let best = Suggestions.closest(to: word, in: names).first else { return "" }
        return ". Did you mean '\(best)'?"
    }
}
