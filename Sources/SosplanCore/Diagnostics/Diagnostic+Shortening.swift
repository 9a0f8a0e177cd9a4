/// A layout value of 300,000 characters must not come back 300,000
/// characters long in the message about it: long runs of text in messages
/// and hints are cut in the middle, and a message has a maximum length.
extension Diagnostic {
    /// Runs of non-space characters longer than this are cut.
    static let maximumRun = 80
    static let maximumText = 1000

    public func shortened() -> Diagnostic {
        var d = self
        d.message = Diagnostic.shorten(message)
        d.hints = hints.map(Diagnostic.shorten)
        return d
    }

    static func shorten(_ text: String) -> String {
        guard text.utf8.count > maximumRun else { return text }
        var out = ""
        var run = Substring()
        func flush() {
            if run.count > maximumRun {
                out += run.prefix(48) + "…" + run.suffix(16) + " (\(run.count) characters)"
            } else {
                out += run
            }
        }
        var start = text.startIndex
        for i in text.indices where text[i] == " " {
            run = text[start..<i]
            flush()
            out += " "
            start = text.index(after: i)
        }
        run = text[start...]
        flush()
        guard out.count > maximumText else { return out }
        return out.prefix(maximumText - 40) + "… (\(out.count) characters in all)"
    }
}
