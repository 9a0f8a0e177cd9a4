extension CompletionScript {
    /// `#compdef` file: one `_arguments` function per command; a command
    /// with subcommands hands the words after its subcommand's name to that
    /// subcommand's function (`*::`, so `$words[1]` is the name).
    static func zsh(_ root: CommandSpec) -> String {
        let fn = "_" + identifier([root.name])
        var out: [String] = [
            "#compdef \(identifier([root.name]))",
            "# zsh completion for \(identifier([root.name])) (compinit loads it from a directory in $fpath).",
            "# \(generatedNote)",
        ]
        for node in nodes(root) { out += [""] + zshFunction(node, root: root) }
        out += [""] + zshHelp(root)
        out += [
            "",
            "# Autoloaded from $fpath this file is the body of \(fn): run it. Sourced, register it.",
            "if [[ $funcstack[1] == \(fn) ]]; then",
            "    \(fn) \"$@\"",
            "else",
            "    compdef \(fn) \(zshQuote(root.name))",
            "fi",
        ]
        return out.joined(separator: "\n") + "\n"
    }

    static func zshFunction(_ node: Node, root: CommandSpec) -> [String] {
        let fn = "_" + identifier(node.path)
        var specs: [String] = []
        for option in node.offered {
            let all = names(option)
            // A repeated option may come again; any other excludes its other names.
            let exclusion = option.kind == .repeated ? "*" : all.count > 1 ? "(\(all.joined(separator: " ")))" : ""
            let description = option.help.isEmpty ? "" : "[\(zshEscape(oneLine(option.help)))]"
            let value = option.kind == .flag ? "" : zshValue(option)
            // `--name=` takes `--name=VALUE` and `--name VALUE`; `-o` takes `-o VALUE`.
            for name in all {
                let suffix = option.kind != .flag && name.hasPrefix("--") ? "=" : ""
                specs.append(zshQuote(exclusion + name + suffix + description + value))
            }
        }
        // Hidden options in `_arguments`' `!` form: never offered, but
        // their values are skipped, so the words after them complete right.
        for option in node.valued where option.isHidden {
            for name in names(option) {
                specs.append(zshQuote("!" + name + (name.hasPrefix("--") ? "=" : "") + zshValue(option)))
            }
        }
        for argument in node.spec.arguments {
            let lead = argument.isRepeated ? "*:" : argument.isOptional ? "::" : ":"
            specs.append(zshQuote(lead + zshEscape(argument.valueName) + ":" + zshAction(argument.completion)))
        }
        guard !node.subcommands.isEmpty else {
            return ["\(fn)() {", "    _arguments \\"] + specs.map { "        \($0) \\" } + ["        && return 0", "    return 1", "}"]
        }
        let label = zshQuote(node.key + " command")
        var out = [
            "\(fn)() {",
            "    local curcontext=$curcontext state state_descr line ret=1",
            "    local -A opt_args",
            "    local -a commands",
            "    _arguments -C \\",
        ]
        out += specs.map { "        \($0) \\" }
        out += [
            "        ': :->command' \\",
            "        '*:: :->argument' && ret=0",
            "    case $state in",
            "    (command)",
            "        commands=(",
        ]
        out += node.subcommands.map { "            \(zshQuote(zshDescribeItem($0.name, $0.abstract)))" }
        out += [
            "        )",
            "        _describe -t commands \(label) commands && ret=0",
            "        ;;",
            "    (argument)",
            "        curcontext=${curcontext%:*:*}:\(identifier(node.path))-$words[1]:",
            "        case $words[1] in",
        ]
        for sub in node.spec.subcommands {
            out.append("        (\(zshQuote(sub.name))) _\(identifier(node.path + [sub.name])) && ret=0 ;;")
        }
        if node.isRoot && node.spec.subcommand(named: "help") == nil {
            out.append("        (help) _\(identifier(node.path + ["help"])) && ret=0 ;;")
        }
        out += ["        esac", "        ;;", "    esac", "    return ret", "}"]
        return out
    }

    /// `:NAME:ACTION`, an option's value for `_arguments`.
    static func zshValue(_ option: OptionSpec) -> String {
        ":\(zshEscape(option.valueName.isEmpty ? "value" : option.valueName)):\(zshAction(option.completion))"
    }

    /// `help COMMAND...`: the subcommands of the path given so far.
    static func zshHelp(_ root: CommandSpec) -> [String] {
        guard !root.subcommands.isEmpty, root.subcommand(named: "help") == nil else { return [] }
        var out = [
            "_\(identifier([root.name, "help"]))() {",
            "    local -a commands",
            "    case ${(j: :)words[2,CURRENT-1]} in",
        ]
        for target in helpTargets(root) {
            let items = target.subcommands.map { zshQuote(zshDescribeItem($0.name, $0.abstract)) }
            out.append("    (\(zshQuote(target.path.joined(separator: " ")))) commands=(\(items.joined(separator: " "))) ;;")
        }
        out += [
            "    esac",
            "    _describe -t commands \(zshQuote(root.name + " command")) commands",
            "}",
        ]
        return out
    }

    /// `_arguments`' action: `_files`, `_files -/`, `(a b)` or nothing to
    /// complete (a space: only the value's name is shown).
    static func zshAction(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return " "
        case .file: return "_files"
        case .directory: return "_files -/"
        // `_arguments` evaluates the list as words: each is backslash-quoted.
        case .choices(let values): return "(" + values.map(zshWord).joined(separator: " ") + ")"
        }
    }

    /// `name:description` for `_describe`, which splits at the first
    /// unescaped `:` and drops a backslash before any character: `\` and
    /// `:` are escaped in the name, `\` in the description.
    static func zshDescribeItem(_ name: String, _ description: String) -> String {
        name.replacing("\\", with: "\\\\").replacing(":", with: "\\:") + ":"
            + oneLine(description).replacing("\\", with: "\\\\")
    }

    /// Text inside an `_arguments` spec: `\`, `[`, `]` and `:` would end or
    /// split the description or message, so they are backslash-escaped.
    static func zshEscape(_ text: String) -> String {
        var out = ""
        for c in text {
            if "\\[]:".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// A word that zsh's `eval` reads back as the same text: every
    /// character but letters and digits backslash-escaped.
    static func zshWord(_ text: String) -> String {
        guard !text.isEmpty else { return "''" }
        var out = ""
        for c in text {
            if !(c.isASCII && (c.isLetter || c.isNumber)) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// A single-quoted zsh word: nothing in it is expanded.
    static func zshQuote(_ text: String) -> String {
        "'" + text.replacing("'", with: #"'\''"#) + "'"
    }
}
