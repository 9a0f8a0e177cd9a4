/// `--help` and the usage lines of errors, laid out as
/// swift-argument-parser tools print them (80 columns; help texts start
/// in column 27, on the next line after a long name).
public enum HelpText {
    static let width = 80
    static let column = 26

    /// The help of the last command of `path` (root first).
    public static func render(_ path: [CommandSpec]) -> String {
        guard let command = path.last, let root = path.first else { return "" }
        var out = wrap("OVERVIEW: " + command.abstract, indent: 0) + "\n"
        if !command.discussion.isEmpty {
            out += "\n" + command.discussion.split(separator: "\n", omittingEmptySubsequences: false)
                .map { wrap(String($0), indent: 0) }.joined(separator: "\n") + "\n"
        }
        out += "\nUSAGE: " + usage(path) + "\n"
        let arguments = command.arguments
        if !arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for a in arguments { out += entry(a.display, a.help) }
        }
        out += "\nOPTIONS:\n"
        for o in command.options where !o.isHidden {
            var help = o.help
            let choices = o.choices
            if !choices.isEmpty || o.defaultText != nil {
                var notes: [String] = []
                if !choices.isEmpty { notes.append("values: " + choices.joined(separator: ", ")) }
                if let d = o.defaultText { notes.append("default: " + d) }
                help += " (" + notes.joined(separator: "; ") + ")"
            }
            let names = [o.short.map { "-\($0)" }, o.long.map { "--" + $0 }].compactMap { $0 }.joined(separator: ", ")
            out += entry(o.kind == .flag ? names : "\(names) <\(o.valueName)>", help)
        }
        if path.count == 1, root.version != nil { out += entry("--version", "Show the version.") }
        out += entry("-h, --help", "Show help information.")
        let subcommands = command.subcommands
        if !subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for s in subcommands { out += entry(s.name, s.abstract) }
            let help = ([root.name, "help"] + path.dropFirst().map(\.name)).joined(separator: " ")
            out += "\n  See '\(help) <subcommand>' for detailed help.\n"
        }
        return out
    }

    /// `sosplan plan [<options>] <LAYOUT>`.
    public static func usage(_ path: [CommandSpec]) -> String {
        guard let command = path.last else { return "" }
        var words = path.map(\.name)
        if !command.subcommands.isEmpty { return (words + ["<subcommand>"]).joined(separator: " ") }
        if command.options.contains(where: { !$0.isRequired && !$0.isHidden }) { words.append("[<options>]") }
        for o in command.options where o.isRequired { words.append(o.display) }
        for a in command.arguments {
            let shown = a.display + (a.isRepeated ? " ..." : "")
            words.append(a.isOptional ? "[\(shown)]" : shown)
        }
        return words.joined(separator: " ")
    }

    /// What a command line that does not parse prints on stderr.
    public static func failure(_ error: UsageError, path: [CommandSpec]) -> String {
        var out = "Error: \(error.message)\n"
        if let help = error.help { out += "Help:  \(help)\n" }
        out += "Usage: \(usage(path))\n"
        out += "  See '\(path.map(\.name).joined(separator: " ")) --help' for more information.\n"
        return out
    }

    /// `  NAME                    text wrapped in column 27`.
    static func entry(_ name: String, _ help: String) -> String {
        let lead = "  " + name
        let text = wrap(help, indent: column, width: width)
        if lead.count + 1 <= column {
            return lead + String(repeating: " ", count: column - lead.count) + text.dropFirst(column) + "\n"
        }
        return lead + "\n" + text + "\n"
    }

    /// Words filled to `width`, every line indented by `indent`.
    static func wrap(_ text: String, indent: Int, width: Int = width) -> String {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !line.isEmpty && indent + line.count + 1 + word.count > width {
                lines.append(pad + line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        lines.append(pad + line)
        return lines.joined(separator: "\n")
    }
}
