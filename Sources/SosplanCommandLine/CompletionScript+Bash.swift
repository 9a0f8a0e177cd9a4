extension CompletionScript {
    /// A `complete -F` function. The words before the cursor are walked to
    /// find the command (subcommand names come first), skipping option
    /// values, and counting positional arguments; tables generated from the
    /// spec say what each command offers. `help` is a pseudo-command whose
    /// own subcommands are the command paths it explains.
    static func bash(_ root: CommandSpec) -> String {
        let fn = "_" + identifier([root.name])
        let all = nodes(root)
        var out: [String] = [
            "# bash completion for \(identifier([root.name])) (bash-completion loads it by name from its completions directory).",
            "# \(generatedNote)",
            "",
            "# The subcommands of command $1 (a path: 'sosplan job'), in `words`.",
            "\(fn)_subcommands() {",
            "    case $1 in",
        ]
        for node in all where !node.subcommands.isEmpty {
            out.append("    \(bashQuote(node.key))) words=(\(node.subcommands.map { bashQuote($0.name) }.joined(separator: " "))) ;;")
        }
        for target in helpTargets(root) {
            let key = ([root.name, "help"] + target.path).joined(separator: " ")
            out.append("    \(bashQuote(key))) words=(\(target.subcommands.map { bashQuote($0.name) }.joined(separator: " "))) ;;")
        }
        out += ["    *) words=() ;;", "    esac", "}", ""]

        out += ["# The options command $1 offers, in `words`.", "\(fn)_options() {", "    case $1 in"]
        for node in all {
            out.append("    \(bashQuote(node.key))) words=(\(node.offered.flatMap(names).map(bashQuote).joined(separator: " "))) ;;")
        }
        out += ["    *) words=() ;;", "    esac", "}", ""]

        out += [
            "# How the value of option $2 of command $1 completes, in `kind` (none, file,",
            "# directory, choices) and `words` (the choices); fails for a flag or an unknown option.",
            "\(fn)_option_value() {",
            "    kind= words=()",
            "    case $1 in",
        ]
        for node in all where !node.valued.isEmpty {
            out += ["    \(bashQuote(node.key)))", "        case $2 in"]
            for option in node.valued {
                out.append("        \(names(option).map(bashQuote).joined(separator: "|"))) \(bashKind(option.completion)) ;;")
            }
            out += ["        esac ;;"]
        }
        out += ["    esac", "    [[ -n $kind ]]", "}", ""]

        out += [
            "# How positional argument $2 (from 0) of command $1 completes, in `kind` and `words`.",
            "\(fn)_argument() {",
            "    kind=none words=()",
            "    case $1 in",
        ]
        for node in all where !node.spec.arguments.isEmpty {
            out += ["    \(bashQuote(node.key)))", "        case $2 in"]
            for (i, argument) in node.spec.arguments.enumerated() {
                // The repeated last argument takes every later position.
                let pattern = argument.isRepeated && i == node.spec.arguments.count - 1 ? "*" : String(i)
                out.append("        \(pattern)) \(bashKind(argument.completion)) ;;")
            }
            out += ["        esac ;;"]
        }
        out += ["    esac", "}", ""]

        out += #"""
            # Adds the candidates that start with $1 (compgen -W would expand them).
            FN_add() {
                local cur=$1 w
                shift
                for w in "$@"; do
                    [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
                done
                return 0
            }

            # Adds what `kind` says for the word $1.
            FN_add_kind() {
                local f
                case $kind in
                file)
                    compopt -o filenames 2>/dev/null
                    while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -f -- "$1")
                    ;;
                directory)
                    compopt -o filenames 2>/dev/null
                    while IFS= read -r f; do COMPREPLY+=("$f"); done < <(compgen -d -- "$1")
                    ;;
                choices) FN_add "$1" "${words[@]}" ;;
                esac
                return 0
            }

            FN() {
                local cur=${COMP_WORDS[COMP_CWORD]} cmd=ROOT word kind words value_of= prefix= rest=0 npos=0 i=1 j
                COMPREPLY=()
                while (( i < COMP_CWORD )); do
                    word=${COMP_WORDS[i]}
                    i=$((i + 1))
                    if (( rest == 0 )) && [[ $word == -- ]]; then
                        rest=1
                    elif (( rest == 0 )) && [[ $word == --*=* ]]; then
                        :
                    elif (( rest == 0 )) && [[ $word == -* ]]; then
                        if FN_option_value "$cmd" "$word"; then
                            # `--name=VALUE` that COMP_WORDBREAKS split at `=`, or `--name VALUE`.
                            [[ ${COMP_WORDS[i]} == = ]] && (( i < COMP_CWORD )) && i=$((i + 1))
                            if (( i == COMP_CWORD )); then value_of=$word; break; fi
                            i=$((i + 1))
                        fi
                    elif (( npos == 0 )) && FN_subcommands "$cmd" && FN_is_word "$word"; then
                        cmd="$cmd $word"
                    else
                        npos=$((npos + 1))
                    fi
                done
                if [[ -z $value_of && $rest == 0 && $cur == --*=* ]] && FN_option_value "$cmd" "${cur%%=*}"; then
                    # `--name=VAL` in one word (no `=` in COMP_WORDBREAKS).
                    value_of=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}
                fi
                if [[ -n $value_of ]]; then
                    [[ $cur == = ]] && cur=
                    FN_option_value "$cmd" "$value_of"
                    FN_add_kind "$cur"
                    for j in "${!COMPREPLY[@]}"; do COMPREPLY[j]=$prefix${COMPREPLY[j]}; done
                    return 0
                fi
                if (( rest == 0 )) && [[ $cur == -* ]]; then
                    FN_options "$cmd"
                    FN_add "$cur" "${words[@]}"
                    return 0
                fi
                if (( npos == 0 )); then
                    FN_subcommands "$cmd"
                    FN_add "$cur" "${words[@]}"
                fi
                FN_argument "$cmd" "$npos"
                FN_add_kind "$cur"
                return 0
            }

            # Whether $1 is one of `words`.
            FN_is_word() {
                local w
                for w in "${words[@]}"; do [[ $w == "$1" ]] && return 0; done
                return 1
            }

            complete -F FN ROOT
            """#
            .replacing("FN", with: fn)
            .replacing("ROOT", with: bashQuote(root.name))
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return out.joined(separator: "\n") + "\n"
    }

    static func bashKind(_ completion: ValueCompletion) -> String {
        switch completion {
        case .none: return "kind=none"
        case .file: return "kind=file"
        case .directory: return "kind=directory"
        case .choices(let values): return "kind=choices; words=(\(values.map(bashQuote).joined(separator: " ")))"
        }
    }

    /// A single-quoted bash word: nothing in it is expanded.
    static func bashQuote(_ text: String) -> String {
        "'" + text.replacing("'", with: #"'\''"#) + "'"
    }
}
