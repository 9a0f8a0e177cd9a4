import SosplanCore

/// Turns values into text that systemd's unit file parser reads back as
/// exactly that value and nothing more: no second key through a newline, no
/// `%` specifier, no `$VAR` expansion, no shell. What cannot be made safe is
/// refused (`SystemdError.invalidValue`) before anything is written.
public enum UnitFileValue {
    /// Free text such as `Description=`: systemd expands `%` specifiers in it
    /// (escaped here as `%%`), trims surrounding whitespace (refused, so the
    /// value reads back unchanged) and joins a line ending in `\` with the next
    /// (refused).
    public static func text(_ value: String, field: String) throws(SystemdError) -> String {
        try refuseControlCharacters(value, field: field)
        if value.isEmpty { throw .invalidValue(field: field, value: value, reason: "it is empty") }
        if value.first!.isWhitespace || value.last!.isWhitespace {
            throw .invalidValue(field: field, value: value, reason: "systemd would strip its leading/trailing whitespace")
        }
        if value.hasSuffix("\\") {
            throw .invalidValue(field: field, value: value, reason: "a trailing '\\' continues the line in a unit file")
        }
        return value.replacingText("%", with: "%%")
    }

    /// One `ExecStart=` argument, always double-quoted, escaped with
    /// `UnitFileQuoting.execEscaped` (`\`, `"`, `%`, `$`), so systemd
    /// passes it to the program verbatim.
    public static func execArgument(_ argument: String, field: String) throws(SystemdError) -> String {
        try refuseControlCharacters(argument, field: field)
        return "\"" + UnitFileQuoting.execEscaped(argument) + "\""
    }

    /// A whole `ExecStart=` value for an argument vector (never a shell
    /// string): the first element must be a normalized absolute path, so
    /// none of systemd's prefixes (`-`, `@`, `:`, `+`, `!`) can sneak in.
    public static func execCommandLine(_ arguments: [String], field: String) throws(SystemdError) -> String {
        guard let program = arguments.first else {
            throw .invalidValue(field: field, value: "", reason: "the argument vector is empty")
        }
        try refuseControlCharacters(program, field: "\(field)[0]")
        guard program.hasPrefix("/") else {
            throw .invalidValue(field: "\(field)[0]", value: program, reason: "the program must be an absolute path")
        }
        if program.hasSuffix("/") || program.contains("//") || program.contains("/./") || program.contains("/../")
            || program.hasSuffix("/.") || program.hasSuffix("/..")
        {
            throw .invalidValue(field: "\(field)[0]", value: program, reason: "the program path must be normalized (no //, /./, /../ or trailing /)")
        }
        // systemd runs the program path as written: `$$` would stay `$$` there
        // (only the arguments are unescaped), so a `$` cannot be passed at all.
        if program.contains("$") {
            throw .invalidValue(
                field: "\(field)[0]", value: program,
                reason: "systemd does not unescape '$' in the program path; rename the program or run it through a path without '$'")
        }
        var parts: [String] = []
        for (i, a) in arguments.enumerated() { parts.append(try execArgument(a, field: "\(field)[\(i)]")) }
        return parts.joined(separator: " ")
    }

    /// One `Environment=` assignment, double-quoted (`\\` and `\"` escaped,
    /// `%` doubled; systemd does not expand `$` there). The name is a
    /// shell-style identifier.
    public static func environment(_ name: String, _ value: String, field: String) throws(SystemdError) -> String {
        let validName = !name.isEmpty && name.unicodeScalars.enumerated().allSatisfy { i, c in
            c == "_" || ("A"..."Z").contains(c) || ("a"..."z").contains(c) || (i > 0 && ("0"..."9").contains(c))
        }
        guard validName else { throw .invalidValue(field: field, value: name, reason: "not an environment variable name") }
        try refuseControlCharacters(value, field: field)
        var out = "\"\(name)="
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "%": out += "%%"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// Refuses NUL, newlines and every other control character
    /// (`ControlCharacters`): they either end the line (a new key) or make
    /// a value that reads differently than it looks.
    static func refuseControlCharacters(_ value: String, field: String) throws(SystemdError) {
        if let found = ControlCharacters.problem(in: value, wording: .unitFile) {
            throw .invalidValue(field: field, value: value, reason: "it contains \(found.reason)")
        }
    }

    /// A weight (`CPUWeight=`, `IOWeight=`): systemd accepts 1...10000.
    public static func weight(_ v: UInt64, field: String) throws(SystemdError) -> String {
        guard (1...10_000).contains(v) else {
            throw .invalidValue(field: field, value: "\(v)", reason: "a weight must be between 1 and 10000")
        }
        return "\(v)"
    }

    /// `CPUQuota=` from microseconds of CPU time per second: systemd writes
    /// it as a percentage with at most two decimals, so the value must be a
    /// positive multiple of 100 µs (0.01 %).
    public static func cpuQuota(perSecondUSec v: UInt64, field: String) throws(SystemdError) -> String {
        guard v > 0, v % 100 == 0, v <= 1_000_000 * 100_000 else {
            throw .invalidValue(field: field, value: "\(v)", reason: "a CPU quota must be a positive multiple of 100 µs per second (0.01 %)")
        }
        let hundredths = v / 100
        let whole = hundredths / 100, fraction = hundredths % 100
        return fraction == 0 ? "\(whole)%" : "\(whole).\(String(fraction).leftPadded(to: 2))%"
    }

    /// A byte amount or `infinity` (`MemoryMax=` and friends).
    public static func bytes(_ limit: Limit, field: String) throws(SystemdError) -> String {
        switch limit {
        case .infinity: return "infinity"
        case .value(let v):
            guard v < UInt64.max else { throw .invalidValue(field: field, value: "\(v)", reason: "use infinity instead of \(UInt64.max)") }
            return "\(v)"
        }
    }

    /// `TasksMax=`: at least 1, or `infinity`.
    public static func tasks(_ limit: Limit, field: String) throws(SystemdError) -> String {
        switch limit {
        case .infinity: return "infinity"
        case .value(let v):
            guard v >= 1, v < UInt64.max else {
                throw .invalidValue(field: field, value: "\(v)", reason: "a task limit must be at least 1 (or infinity)")
            }
            return "\(v)"
        }
    }
}
