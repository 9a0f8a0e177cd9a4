/// Turns paths and arguments into unit-file and udev-rule text that systemd
/// (or udev) reads back as exactly that value: `%` specifiers and `$`
/// variables are escaped, arguments with spaces or quotes are quoted with
/// systemd's C-style quoting, and what cannot be made safe (a newline, any
/// control character, a relative or unnormalized path, a trailing `\` that
/// would continue the line) is refused before anything is written.
public enum UnitFileQuoting {
    public struct Refusal: Error, Equatable, CustomStringConvertible, Sendable {
        /// What the value is for (`--layout`, `--binary`...).
        public var field: String
        public var value: String
        public var reason: String

        public var description: String { "\(field): '\(ControlCharacters.escaped(value))' cannot go into a unit file: \(reason)" }
    }

    /// A path that must be absolute and normalized (no `//`, `/./`, `/../`,
    /// trailing `/`), without control characters: systemd would simplify or
    /// reject anything else, and the file would then name a different path.
    public static func checkAbsolutePath(_ path: String, field: String) throws(Refusal) {
        try refuseControlCharacters(path, field: field)
        guard path.hasPrefix("/") else {
            throw Refusal(field: field, value: path, reason: "it must be an absolute path")
        }
        if path != "/" && (path.hasSuffix("/") || path.contains("//") || path.contains("/./") || path.contains("/../")
            || path.hasSuffix("/.") || path.hasSuffix("/.."))
        {
            throw Refusal(field: field, value: path, reason: "it must be normalized (no //, /./, /../ or trailing /)")
        }
    }

    /// A path as the value of a path-like setting (`PathChanged=`): systemd
    /// takes the whole value after expanding `%` specifiers and trimming
    /// whitespace, with no quoting, so `%` becomes `%%` and surrounding
    /// whitespace or a trailing `\` is refused.
    public static func pathSetting(_ path: String, field: String) throws(Refusal) -> String {
        try checkAbsolutePath(path, field: field)
        if path.last!.isWhitespace {
            throw Refusal(field: field, value: path, reason: "systemd would strip its trailing whitespace")
        }
        if path.hasSuffix("\\") {
            throw Refusal(field: field, value: path, reason: "a trailing '\\' continues the line in a unit file")
        }
        return path.replacingAll("%", with: "%%")
    }

    /// One word of an `ExecStart=` command line. Plain words stay as they
    /// are; anything with a space, quote, backslash or other character
    /// systemd's word splitting treats specially is double-quoted with `\\`
    /// and `\"` escaped. `%` becomes `%%` and `$` becomes `$$` either way
    /// (systemd expands specifiers and variables after splitting).
    public static func execWord(_ word: String, field: String) throws(Refusal) -> String {
        try refuseControlCharacters(word, field: field)
        let plain = !word.isEmpty && word != ";" && word.unicodeScalars.allSatisfy { isPlain($0) || $0 == "%" || $0 == "$" }
        let escaped = execEscaped(word)
        return plain ? escaped : "\"\(escaped)\""
    }

    /// One `ExecStart=` word escaped for systemd's parser, without the
    /// surrounding quotes: `\` -> `\\`, `"` -> `\"`, `%` -> `%%` (specifiers),
    /// `$` -> `$$` (variables). Also the systemd driver's rule, which always
    /// adds the quotes.
    public static func execEscaped(_ word: String) -> String {
        var escaped = ""
        for c in word.unicodeScalars {
            switch c {
            case "%": escaped += "%%"
            case "$": escaped += "$$"
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            default: escaped.unicodeScalars.append(c)
            }
        }
        return escaped
    }

    /// A whole `ExecStart=` value for an argument vector (never a shell
    /// string). The program must be an absolute normalized path, so none
    /// of systemd's prefixes (`-`, `@`, `:`, `+`, `!`) can appear, and
    /// without quotes, backslashes or `$`: systemd refuses the first three
    /// in an executable's name ("contains special characters") and does not
    /// unescape `$$` there.
    public static func execCommandLine(_ arguments: [String], field: String, programField: String? = nil) throws(Refusal) -> String {
        guard let program = arguments.first else {
            throw Refusal(field: field, value: "", reason: "the command is empty")
        }
        let programField = programField ?? field
        try checkAbsolutePath(program, field: programField)
        if let bad = program.first(where: { "\"'\\$".contains($0) }) {
            throw Refusal(field: programField, value: program, reason: "systemd does not run a program whose path contains '\(bad)'")
        }
        var words = [try execWord(program, field: programField)]
        for a in arguments.dropFirst() { words.append(try execWord(a, field: field)) }
        return words.joined(separator: " ")
    }

    /// A string inside a udev rule's double quotes (`RUN+="..."`): udev has
    /// no escape for `"`, and expands `%` and `$` substitutions, so only
    /// plain words are accepted.
    public static func udevWord(_ word: String, field: String) throws(Refusal) -> String {
        try refuseControlCharacters(word, field: field)
        guard !word.isEmpty, word.unicodeScalars.allSatisfy(isPlain) else {
            throw Refusal(field: field, value: word, reason: "a udev rule takes only letters, digits and / . _ - + , : = @ here")
        }
        return word
    }

    /// Refuses NUL, newlines and every other control character
    /// (`ControlCharacters`).
    static func refuseControlCharacters(_ value: String, field: String) throws(Refusal) {
        if let found = ControlCharacters.problem(in: value, wording: .installedFile) {
            throw Refusal(field: field, value: value, reason: "it contains \(found.reason)")
        }
    }

    /// Characters that never need quoting in a command line or a rule.
    static func isPlain(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "/", ".", "_", "-", "+", ",", ":", "=", "@": return true
        default: return false
        }
    }
}

extension String {
    /// `replacingOccurrences` without Foundation (Core stays free of it).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
