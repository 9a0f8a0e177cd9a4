/// The rules for container values. Each check returns what is wrong and at
/// which character (for the layout's FILE:LINE:COLUMN), or nil. They refuse
/// what podman would read as something else than a literal value (an option,
/// a second mount field, a host environment pattern); everything they accept
/// is passed through verbatim, as one argument.
public enum ContainerValues {
    public typealias Problem = (message: String, offset: Int, hints: [String])

    /// Characters that end a line in a unit file or are not text at all
    /// (`ControlCharacters`).
    public static func controlProblem(_ s: String, what: String) -> Problem? {
        guard let found = ControlCharacters.problem(in: s, wording: .commandLine) else { return nil }
        return ("\(what) contains \(found.reason)", found.offset, ["systemd command lines cannot carry it; pass such data in a mounted file"])
    }

    static func isAlnum(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
    }

    static func isLowerAlnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }

    static func shown(_ c: Unicode.Scalar) -> String { c == " " ? "a space" : "'\(Character(c))'" }

    // MARK: Environment

    /// `[A-Za-z_][A-Za-z0-9_]*`: podman reads `--env NAME` without `=` and
    /// `NAME*` as "copy from the host", so nothing else may pass.
    public static func environmentNameProblem(_ name: String) -> Problem? {
        let hints = ["environment names are letters, digits and '_', not starting with a digit"]
        if name.isEmpty { return ("the environment variable name is empty", 0, hints) }
        for (i, c) in name.unicodeScalars.enumerated() {
            let ok = isAlnum(c) || c == "_"
            if !ok { return ("the environment variable name '\(name)' contains \(shown(c))", i, hints) }
            if i == 0, ("0"..."9").contains(c) { return ("the environment variable name '\(name)' starts with a digit", 0, hints) }
        }
        return nil
    }

    // MARK: Paths

    /// An absolute, normalized path: no `//`, `.` or `..` components, no
    /// trailing `/`; no `,` (podman's `--mount` separates its fields with it).
    public static func pathProblem(_ path: String, what: String, allowRoot: Bool = false) -> Problem? {
        if let p = controlProblem(path, what: what) { return p }
        guard path.hasPrefix("/") else {
            return ("\(what) must be an absolute path, found '\(path)'", 0, ["start it with '/'"])
        }
        if path == "/" {
            return allowRoot ? nil : ("\(what) cannot be '/'", 0, [])
        }
        let scalars = Array(path.unicodeScalars)
        if let comma = scalars.firstIndex(of: ",") {
            return ("\(what) contains ',', which podman's --mount reads as the start of another field", comma,
                    ["rename the directory, or mount a parent directory"])
        }
        if scalars.last == "/" { return ("\(what) ends with '/'", scalars.count - 1, ["write it without the trailing '/'"]) }
        var offset = 1
        for part in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { return ("\(what) contains '//'", offset, ["write single '/' between directories"]) }
            if part == "." || part == ".." {
                return ("\(what) contains a '\(part)' component", offset, ["give the path without '.' or '..'"])
            }
            offset += part.unicodeScalars.count + 1
        }
        return nil
    }

    // MARK: Options

    /// `host`, `none`, `bridge`, `private`, `slirp4netns`, or a network name.
    public static func networkProblem(_ s: String) -> Problem? {
        let hints = ["write host, none, bridge or the name of a podman network (letters, digits, '_', '.', '-')"]
        if s.isEmpty { return ("the network is empty", 0, hints) }
        for (i, c) in s.unicodeScalars.enumerated() {
            let ok = isAlnum(c) || (i > 0 && (c == "_" || c == "." || c == "-"))
            if !ok {
                let extra = c == ":" ? ["joining another container's or a path's namespace (container:, ns:) is not supported"] : []
                return ("the network '\(s)' contains \(shown(c))", i, hints + extra)
            }
        }
        return nil
    }

    /// `[ip:]hostPort:containerPort[/tcp|udp|sctp]` with an IPv4 address.
    public static func publishProblem(_ s: String) -> Problem? {
        let hints = ["write hostPort:containerPort, as in 8080:80, or 127.0.0.1:5432:5432/tcp"]
        if let p = controlProblem(s, what: "the port") { return (p.message, p.offset, hints) }
        var body = Substring(s)
        if let slash = s.firstIndex(of: "/") {
            let proto = s[s.index(after: slash)...]
            guard ["tcp", "udp", "sctp"].contains(proto) else {
                return ("'\(proto)' is not tcp, udp or sctp", s.distance(from: s.startIndex, to: slash) + 1, hints)
            }
            body = s[..<slash]
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else {
            return ("'\(s)' is not hostPort:containerPort", 0, hints)
        }
        var offset = 0
        if parts.count == 3 {
            let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
            let valid = octets.count == 4 && octets.allSatisfy { o in
                !o.isEmpty && o.count <= 3 && o.allSatisfy { $0.isASCII && $0.isNumber } && Int(o)! <= 255
            }
            if !valid { return ("'\(parts[0])' is not an IPv4 address", 0, hints) }
            offset = parts[0].count + 1
        }
        for part in parts.suffix(2) {
            let ok = !part.isEmpty && part.count <= 5 && part.allSatisfy { $0.isASCII && $0.isNumber } && (1...65535).contains(Int(part)!)
            if !ok { return ("'\(part)' is not a port (1-65535)", offset, hints) }
            offset += part.count + 1
        }
        return nil
    }

    /// `name`, `uid`, `name:group` or `uid:gid`.
    public static func userProblem(_ s: String) -> Problem? {
        let hints = ["write a user name or uid, optionally with :group or :gid, as in 101:101"]
        if s.isEmpty { return ("the user is empty", 0, hints) }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count > 2 { return ("the user '\(s)' has more than one ':'", 0, hints) }
        var offset = 0
        for part in parts {
            if part.isEmpty { return ("the user '\(s)' has an empty name or group", offset, hints) }
            for (i, c) in part.unicodeScalars.enumerated() {
                let ok = isAlnum(c) || c == "_" || (i > 0 && (c == "." || c == "-"))
                if !ok { return ("the user '\(s)' contains \(shown(c))", offset + i, hints) }
            }
            offset += part.unicodeScalars.count + 1
        }
        return nil
    }

    /// An OCI runtime podman knows by name (`runc`, `crun`, `kata`) or an
    /// absolute path to one.
    public static func runtimeProblem(_ s: String) -> Problem? {
        if s.hasPrefix("/") {
            if let comma = s.unicodeScalars.firstIndex(of: ",") {
                return ("the runtime path contains ','", s.unicodeScalars.distance(from: s.unicodeScalars.startIndex, to: comma),
                        ["sosplan refuses ',' in the paths it gives podman; install the runtime under a plain path"])
            }
            return pathProblem(s, what: "the runtime path")
        }
        let hints = ["write a runtime name such as runc or crun, or its absolute path"]
        if s.isEmpty { return ("the runtime is empty", 0, hints) }
        for (i, c) in s.unicodeScalars.enumerated() {
            let ok = isLowerAlnum(c) || (i > 0 && (c == "-" || c == "_" || c == "."))
            if !ok { return ("the runtime '\(s)' contains \(shown(c))", i, hints) }
        }
        return nil
    }
}
