/// GNU `getopt_long` as the real tools call it, including its quirks: an
/// optstring letter with `:` takes an argument even where the long option
/// does not (pisces_ctrl's `e:` vs `--explicit`), argv is permuted unless
/// the optstring starts with `+`, `--` ends options, long options may be
/// abbreviated, `--name=value` and `--name value` both work.
struct GetOpt {
    struct LongOption {
        var name: String
        var hasArgument: Bool
        /// The short letter it maps to.
        var letter: Character
    }

    struct Result {
        /// (letter, argument) in command-line order.
        var options: [(Character, String?)] = []
        var operands: [String] = []
        /// getopt's own message, as it prints it to stderr.
        var error: String?

        func has(_ c: Character) -> Bool { options.contains { $0.0 == c } }
        func value(_ c: Character) -> String? { options.last { $0.0 == c }?.1 }
    }

    var program: String
    var optstring: String
    var longOptions: [LongOption]

    func parse(_ args: [String]) -> Result {
        var result = Result()
        let inOrder = optstring.hasPrefix("+")
        let spec = inOrder ? String(optstring.dropFirst()) : optstring
        var i = 0
        while i < args.count {
            let arg = args[i]
            i += 1
            if arg == "--" {
                result.operands += args[i...]
                break
            }
            if arg.hasPrefix("--") {
                let body = arg.dropFirst(2)
                let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                let inline = body.contains("=") ? String(body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[1]) : nil
                let matches = longOptions.filter { $0.name == name } + longOptions.filter { $0.name != name && $0.name.hasPrefix(name) }
                guard let option = matches.first, matches.first?.name == name || matches.count == 1 else {
                    result.error = matches.isEmpty
                        ? "\(program): unrecognized option '\(arg)'" : "\(program): option '\(arg)' is ambiguous"
                    return result
                }
                if option.hasArgument {
                    if let inline {
                        result.options.append((option.letter, inline))
                    } else if i < args.count {
                        result.options.append((option.letter, args[i]))
                        i += 1
                    } else {
                        result.error = "\(program): option '--\(option.name)' requires an argument"
                        return result
                    }
                } else {
                    if inline != nil {
                        result.error = "\(program): option '--\(option.name)' doesn't allow an argument"
                        return result
                    }
                    result.options.append((option.letter, nil))
                }
                continue
            }
            if arg.hasPrefix("-") && arg.count > 1 {
                var letters = Array(arg.dropFirst())
                while !letters.isEmpty {
                    let c = letters.removeFirst()
                    guard let at = spec.firstIndex(of: c), c != ":" else {
                        result.error = "\(program): invalid option -- '\(c)'"
                        return result
                    }
                    let next = spec.index(after: at)
                    if next < spec.endIndex && spec[next] == ":" {
                        if !letters.isEmpty {
                            result.options.append((c, String(letters)))
                        } else if i < args.count {
                            result.options.append((c, args[i]))
                            i += 1
                        } else {
                            result.error = "\(program): option requires an argument -- '\(c)'"
                            return result
                        }
                        break
                    }
                    result.options.append((c, nil))
                }
                continue
            }
            result.operands.append(arg)
            if inOrder {
                result.operands += args[i...]
                break
            }
        }
        return result
    }
}
