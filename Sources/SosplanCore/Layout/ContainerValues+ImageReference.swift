/// Image references: the OCI distribution grammar, checked character by
/// character so a problem points at its column.
extension ContainerValues {
    /// `[registry[:port]/]path[:tag][@algorithm:hex]`, the grammar of OCI
    /// distribution references: lower-case path components, a tag of at
    /// most 128 characters, a digest.
    public static func imageProblem(_ ref: String) -> Problem? {
        let hints = ["an image reference looks like registry.example.com/team/app:1.2 or localhost/app:1 (lower-case path, optional :tag, optional @sha256:...)"]
        if ref.isEmpty { return ("the image reference is empty", 0, hints) }
        if let p = controlProblem(ref, what: "the image reference") { return (p.message, p.offset, hints) }
        let chars = Array(ref.unicodeScalars)
        if chars.count > 255 { return ("the image reference is \(chars.count) characters long; at most 255", 255, hints) }
        if chars[0] == "-" { return ("the image reference starts with '-', which podman would read as an option", 0, hints) }
        // Split off the digest, then the tag (a ':' after the last '/').
        var nameEnd = chars.count
        if let at = chars.firstIndex(of: "@") {
            if let p = digestProblem(Array(chars[(at + 1)...]), offset: at + 1) { return (p.message, p.offset, hints) }
            nameEnd = at
        }
        let lastSlash = chars[..<nameEnd].lastIndex(of: "/") ?? -1
        if let colon = chars[(lastSlash + 1)..<nameEnd].lastIndex(of: ":") {
            let tag = Array(chars[(colon + 1)..<nameEnd])
            if tag.isEmpty { return ("the tag after ':' is empty", colon + 1, hints) }
            if tag.count > 128 { return ("the tag is \(tag.count) characters long; at most 128", colon + 1 + 128, hints) }
            for (i, c) in tag.enumerated() {
                let ok = isAlnum(c) || c == "_" || (i > 0 && (c == "." || c == "-"))
                if !ok { return ("the tag contains \(shown(c))", colon + 1 + i, hints) }
            }
            nameEnd = colon
        }
        let name = Array(chars[..<nameEnd])
        if name.isEmpty { return ("the image reference has no name", 0, hints) }
        var components: [(start: Int, text: [Unicode.Scalar])] = []
        var start = 0
        for (i, c) in name.enumerated() where c == "/" {
            components.append((start, Array(name[start..<i])))
            start = i + 1
        }
        components.append((start, Array(name[start...])))
        // The first component names a registry when it has a '.' or ':' or is localhost.
        if components.count > 1, let first = components.first,
            first.text.contains(".") || first.text.contains(":") || String(String.UnicodeScalarView(first.text)) == "localhost"
        {
            if let p = registryProblem(first.text, offset: first.start) { return (p.message, p.offset, hints) }
            components.removeFirst()
        }
        for component in components {
            if let p = pathComponentProblem(component.text, offset: component.start) { return (p.message, p.offset, hints) }
        }
        return nil
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func pathComponentProblem(_ text: [Unicode.Scalar], offset: Int) -> (message: String, offset: Int)? {
        if text.isEmpty { return ("the image name has an empty path component ('//' or a '/' at an end)", offset) }
        var previous: Unicode.Scalar = "/"
        var underscores = 0
        for (i, c) in text.enumerated() {
            if isLowerAlnum(c) {
                underscores = 0
            } else if c == "." || c == "_" || c == "-" {
                if i == 0 || (previous != c && !isLowerAlnum(previous)) || (c == "." && previous == ".") {
                    return ("the image name has \(shown(c)) where a letter or digit is expected", offset + i)
                }
                if c == "_" { underscores += 1; if underscores > 2 { return ("the image name has more than two '_' in a row", offset + i) } }
            } else if ("A"..."Z").contains(c) {
                return ("the image name contains the upper-case letter \(shown(c)); repository names are lower-case", offset + i)
            } else {
                return ("the image name contains \(shown(c))", offset + i)
            }
            previous = c
        }
        if !isLowerAlnum(previous) { return ("the image name ends a component with \(shown(previous))", offset + text.count - 1) }
        return nil
    }

    /// A host name (letters, digits, '-', '.') with an optional `:port`.
    static func registryProblem(_ text: [Unicode.Scalar], offset: Int) -> (message: String, offset: Int)? {
        var host = text[...]
        if let colon = text.firstIndex(of: ":") {
            let port = text[(colon + 1)...]
            if port.isEmpty || port.count > 5 || !port.allSatisfy({ ("0"..."9").contains($0) }) || Int(String(String.UnicodeScalarView(port)))! > 65535 {
                return ("the registry port must be a number up to 65535", offset + colon + 1)
            }
            host = text[..<colon]
        }
        if host.isEmpty { return ("the registry name is empty", offset) }
        for (i, c) in host.enumerated() {
            if !(isAlnum(c) || c == "-" || c == ".") { return ("the registry name contains \(shown(c))", offset + i) }
            if (c == "-" || c == ".") && (i == 0 || i == host.count - 1) {
                return ("the registry name starts or ends with \(shown(c))", offset + i)
            }
        }
        return nil
    }

    /// `algorithm:hex`, at least 32 hex digits.
    static func digestProblem(_ text: [Unicode.Scalar], offset: Int) -> (message: String, offset: Int)? {
        guard let colon = text.firstIndex(of: ":"), colon > 0 else {
            return ("a digest is algorithm:hex, as in @sha256:0123...", offset)
        }
        for (i, c) in text[..<colon].enumerated() where !(isLowerAlnum(c) || "+._-".unicodeScalars.contains(c)) {
            return ("the digest algorithm contains \(shown(c))", offset + i)
        }
        let hex = text[(colon + 1)...]
        for (i, c) in hex.enumerated() where !(("0"..."9").contains(c) || ("a"..."f").contains(c) || ("A"..."F").contains(c)) {
            return ("the digest contains \(shown(c)), not a hex digit", offset + colon + 1 + i)
        }
        if hex.count < 32 { return ("the digest has \(hex.count) hex digits; at least 32", offset + colon + 1) }
        return nil
    }
}
