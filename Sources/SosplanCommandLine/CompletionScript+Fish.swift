extension CompletionScript {
    /// `complete -c` lines. Their conditions ask a helper which command the
    /// cursor is in and at which positional argument: it walks the words
    /// typed so far as the bash script does (subcommand names first, option
    /// values skipped), so a value that happens to be a subcommand's name
    /// (`validate plan`) does not switch commands, which
    /// `__fish_seen_subcommand_from` alone would.
    static func fish(_ root: CommandSpec) -> String {
        let prefix = "__" + identifier([root.name])
        let command = fishQuote(root.name)
        let all = nodes(root)
        var out: [String] = [
            "# fish completion for \(identifier([root.name])) (fish loads it by name from its completions directory).",
            "# \(generatedNote)",
            "",
            "# The subcommands of a command path ('sosplan job'; 'sosplan help job' for `help`'s arguments).",
            "function \(prefix)_subcommands",
        ]
        var branches: [(condition: String, body: String)] = []
        for node in all where !node.subcommands.isEmpty {
            branches.append((fishQuote(node.key), "printf '%s\\n' " + node.subcommands.map { fishQuote($0.name) }.joined(separator: " ")))
        }
        for target in helpTargets(root) {
            let key = ([root.name, "help"] + target.path).joined(separator: " ")
            branches.append((fishQuote(key), "printf '%s\\n' " + target.subcommands.map { fishQuote($0.name) }.joined(separator: " ")))
        }
        out += fishIfChain(branches)
        out += ["end", "", "# Whether option $argv[2] of command $argv[1] takes a value (hidden ones too).", "function \(prefix)_takes_value"]
        out += fishIfChain(all.filter { !$0.valued.isEmpty }.map { node in
            (fishQuote(node.key), "contains -- $argv[2] " + node.valued.flatMap(names).map(fishQuote).joined(separator: " ") + "; and return 0")
        })
        out += ["    return 1", "end", ""]
        out += #"""
            # The command path before the cursor, then how many positional arguments it has.
            function PREFIX_state
                set -l tokens (commandline -opc)
                set -e tokens[1]
                set -l cmd ROOT
                set -l npos 0
                set -l value 0
                set -l rest 0
                for t in $tokens
                    if test $value = 1
                        set value 0
                    else if test $rest = 0; and test "$t" = --
                        set rest 1
                    else if test $rest = 0; and string match -q -- '--*=*' "$t"
                        # `--name=VALUE`: the value is in the word.
                    else if test $rest = 0; and string match -q -- '-*' "$t"
                        PREFIX_takes_value "$cmd" "$t"; and set value 1
                    else if test $npos = 0; and contains -- "$t" (PREFIX_subcommands "$cmd")
                        set cmd "$cmd $t"
                    else
                        set npos (math $npos + 1)
                    end
                end
                printf '%s\n' "$cmd" $npos
            end

            # Whether the cursor is in command $argv[1]; with $argv[2], also at that
            # positional argument (from 0; `N+`: N or later).
            function PREFIX_at
                set -l state (PREFIX_state)
                test "$state[1]" = "$argv[1]"; or return 1
                set -q argv[2]; or return 0
                if string match -q -- '*+' $argv[2]
                    test $state[2] -ge (string replace -- + '' $argv[2])
                else
                    test $state[2] -eq $argv[2]
                end
            end

            # No file names unless an argument or option value is a file.
            complete -c ROOT -f
            """#
            .replacing("PREFIX", with: prefix)
            .replacing("ROOT", with: command)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        for node in all {
            let at = "\(prefix)_at \(fishQuote(node.key))"
            out.append("")
            for sub in node.subcommands {
                out.append("complete -c \(command) -n \(fishQuote(at + " 0")) -a \(fishArguments([sub.name])) -d \(fishQuote(oneLine(sub.abstract)))")
            }
            for option in node.offered {
                var line = "complete -c \(command) -n \(fishQuote(at))"
                if let short = option.short { line += " -s \(fishQuote(String(short)))" }
                if let long = option.long { line += " -l \(fishQuote(long))" }
                if !option.help.isEmpty { line += " -d \(fishQuote(oneLine(option.help)))" }
                if option.kind != .flag {
                    switch option.completion {
                    case .none: line += " -x"
                    case .file: line += " -r -F"
                    case .directory: line += " -x -a '(__fish_complete_directories)'"
                    case .choices(let values): line += " -x -a \(fishArguments(values))"
                    }
                }
                out.append(line)
            }
            for (i, argument) in node.spec.arguments.enumerated() {
                let position = argument.isRepeated && i == node.spec.arguments.count - 1 ? "\(i)+" : "\(i)"
                let line = "complete -c \(command) -n \(fishQuote(at + " " + position))"
                switch argument.completion {
                case .none: break
                case .file: out.append(line + " -F")
                case .directory: out.append(line + " -a '(__fish_complete_directories)'")
                case .choices(let values): out.append(line + " -a \(fishArguments(values))")
                }
            }
        }
        // `help COMMAND...`: the paths of the commands it explains.
        for target in helpTargets(root) where root.subcommand(named: "help") == nil {
            let key = ([root.name, "help"] + target.path).joined(separator: " ")
            let at = "\(prefix)_at \(fishQuote(key)) 0"
            for sub in target.subcommands {
                out.append("complete -c \(command) -n \(fishQuote(at)) -a \(fishArguments([sub.name])) -d \(fishQuote(oneLine(sub.abstract)))")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// `if test "$argv[1]" = KEY; BODY; else if ...; end` (not `switch`,
    /// whose cases are wildcards).
    static func fishIfChain(_ branches: [(condition: String, body: String)]) -> [String] {
        guard !branches.isEmpty else { return [] }
        var out: [String] = []
        for (i, branch) in branches.enumerated() {
            out.append("    \(i == 0 ? "if" : "else if") test \"$argv[1]\" = \(branch.condition)")
            out.append("        \(branch.body)")
        }
        out.append("    end")
        return out
    }

    /// `-a`'s argument, which fish expands as a list of words when it
    /// completes: each word is quoted inside the quoted argument.
    static func fishArguments(_ words: [String]) -> String {
        fishQuote(words.map { isPlainFishWord($0) ? $0 : fishQuote($0) }.joined(separator: " "))
    }

    /// Letters, digits and `_.,:/+=@-`: a word fish expands to itself.
    static func isPlainFishWord(_ word: String) -> Bool {
        !word.isEmpty && word.unicodeScalars.allSatisfy { c in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "_.,:/+=@-".unicodeScalars.contains(c))
        }
    }

    /// A single-quoted fish word: only `\\` and `\'` are escapes in it.
    static func fishQuote(_ text: String) -> String {
        "'" + text.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }
}
