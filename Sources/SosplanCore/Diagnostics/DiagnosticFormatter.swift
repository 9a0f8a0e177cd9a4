/// Renders diagnostics for people (`FILE:LINE:COLUMN: error: MESSAGE` plus
/// `hint:` lines), as JSON values, or as GitHub workflow annotations.
public enum DiagnosticFormatter {
    /// One line per diagnostic and per hint: the file name, the message and
    /// the hints quote what the input holds, so each is escaped whole.
    public static func text(_ d: Diagnostic) -> String {
        let loc = ControlCharacters.escaped(d.location)
        var out = (loc.isEmpty ? "" : loc + ": ") + "\(d.severity.rawValue): \(ControlCharacters.escaped(d.message))"
        for hint in d.hints { out += "\n    hint: \(ControlCharacters.escaped(hint))" }
        return out
    }

    public static func text(_ ds: [Diagnostic]) -> String {
        ds.map { text($0) + "\n" }.joined()
    }

    /// `::error file=F,line=L,col=C::MESSAGE` with the property and message
    /// escaping GitHub documents (`%`, CR, LF, and `:`/`,` in properties).
    public static func github(_ d: Diagnostic) -> String {
        var props: [String] = []
        if let file = d.file { props.append("file=" + escapeProperty(file)) }
        if let mark = d.mark {
            props.append("line=\(mark.line)")
            props.append("col=\(mark.column)")
        }
        var message = d.message
        if !d.hints.isEmpty { message += "\n" + d.hints.map { "hint: " + $0 }.joined(separator: "\n") }
        let head = "::\(d.severity.rawValue)" + (props.isEmpty ? "" : " " + props.joined(separator: ","))
        return head + "::" + escapeData(message)
    }

    public static func json(_ d: Diagnostic) -> JSONValue {
        var o: [(String, JSONValue)] = [("severity", .string(d.severity.rawValue))]
        o.append(("file", d.file.map(JSONValue.string) ?? .null))
        o.append(("line", d.mark.map { .int($0.line) } ?? .null))
        o.append(("column", d.mark.map { .int($0.column) } ?? .null))
        o.append(("message", .string(d.message)))
        o.append(("hints", .array(d.hints.map(JSONValue.string))))
        return .object(o)
    }

    static func escapeData(_ s: String) -> String {
        s.replacingText("%", with: "%25").replacingText("\r", with: "%0D").replacingText("\n", with: "%0A")
    }

    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingText(":", with: "%3A").replacingText(",", with: "%2C")
    }
}
