/// Names of layouts, enclaves and services (DNS labels) and paths.
extension LayoutReader {
    /// A DNS label: `a-z`, `0-9` and `-`, starting and ending with a letter
    /// or digit, at most 63 characters. Problems point into the string.
    func dnsLabel(_ node: YAMLNode, _ path: @autoclosure () -> String, what: String) -> String? {
        guard let name = string(node, path(), what: "a \(what)") else { return nil }
        if let problem = LayoutReader.dnsLabelProblem(name) {
            let column = node.mark.column + problem.offset + (node.isQuoted ? 1 : 0)
            error(
                path(), "'\(name)' is not a valid \(what): \(problem.message)",
                at: SourceMark(line: node.mark.line, column: column),
                hints: ["\(what)s are DNS labels: a-z, 0-9 and '-', at most 63 characters, starting and ending with a letter or digit"]
                    + LayoutReader.dnsLabelRepair(name).map { ["for example '\($0)'"] }.orEmpty)
            return nil
        }
        return name
    }

    static func dnsLabelProblem(_ name: String) -> (message: String, offset: Int)? {
        if name.isEmpty { return ("it is empty", 0) }
        // No more bytes than 63 means no more characters either.
        if name.utf8.count > 63, name.count > 63 { return ("it has \(name.count) characters, more than 63", 63) }
        // Characters are looked at one by one only when a byte is not a-z, 0-9 or '-'.
        let plain = name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        if !plain {
            for (i, c) in name.enumerated() {
                let ok = (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "-"
                if !ok {
                    if c >= "A" && c <= "Z" { return ("it contains the upper-case letter '\(c)'", i) }
                    return ("it contains '\(c)'", i)
                }
            }
        }
        if name.hasPrefix("-") { return ("it starts with '-'", 0) }
        if name.hasSuffix("-") { return ("it ends with '-'", name.count - 1) }
        return nil
    }

    /// A valid label close to `name`, when a simple repair gives one.
    static func dnsLabelRepair(_ name: String) -> String? {
        var repaired = String(name.lowercased().map { ($0 == "_" || $0 == "." || $0 == " ") ? "-" : $0 })
        while repaired.hasPrefix("-") { repaired.removeFirst() }
        while repaired.hasSuffix("-") { repaired.removeLast() }
        guard repaired != name, dnsLabelProblem(repaired) == nil else { return nil }
        return repaired
    }

    /// An absolute path without NUL or line breaks.
    func absolutePath(_ node: YAMLNode, _ path: @autoclosure () -> String, what: String) -> String? {
        guard let text = string(node, path(), what: what) else { return nil }
        guard text.hasPrefix("/") else {
            error(path(), "\(what) must be an absolute path, found '\(text)'", at: node.mark)
            return nil
        }
        guard LayoutReader.isSingleLine(text) else {
            error(path(), "\(what) contains a NUL byte or a line break", at: node.mark)
            return nil
        }
        return text
    }

    static func isSingleLine(_ s: String) -> Bool {
        !s.unicodeScalars.contains { $0 == "\0" || $0 == "\n" || $0 == "\r" }
    }
}

extension Optional where Wrapped == [String] {
    var orEmpty: [String] { self ?? [] }
}
