/// A service's `exec` argument vector and its `memory` limits.
extension LayoutReader {
    /// A non-empty list of arguments; the first is an absolute path. Each
    /// item is taken as written (`-s, 64` gives "64"), so numbers need no
    /// quotes; no item may hold a NUL byte or a line break.
    ///
    /// - Parameter systemdRunsProgram: the program path goes into `ExecStart=`
    ///   as systemd's executable (a Linux service), where a `$` cannot be
    ///   written: systemd runs that path as written and does not unescape `$$`
    ///   there (measured: status 203). In an enclave it is an argument of the
    ///   launcher, where `$` is escaped like any other argument.
    func exec(_ node: YAMLNode, _ path: @autoclosure () -> String, systemdRunsProgram: Bool = true) -> [String]? {
        if case .string(let s, _)? = node.resolvedScalar {
            let words = s.split(separator: " ").map { "\"\($0)\"" }.joined(separator: ", ")
            error(path(), "exec is an argument vector, not a shell string", at: node.mark,
                  hints: ["write a list: exec: [\(words)]", "sosplan never runs a shell; quote each argument separately"])
            return nil
        }
        guard let items = node.isNull ? [] : node.sequence else {
            error(path(), "expected a list of arguments, found \(describe(node))", at: node.mark)
            return nil
        }
        guard !items.isEmpty else {
            error(path(), "exec is empty; it needs at least the program to run", at: node.mark)
            return nil
        }
        var argv: [String] = []
        var ok = true
        for (i, item) in items.enumerated() {
            // Built for a message only: most arguments have none.
            var itemPath: String { "\(path())[\(i)]" }
            guard let text = item.scalar, !item.isNull else {
                error(itemPath, "expected an argument (a string), found \(describe(item))", at: item.mark)
                ok = false
                continue
            }
            guard LayoutReader.isSingleLine(text) else {
                error(itemPath, "an argument contains a NUL byte or a line break", at: item.mark,
                      hints: ["systemd command lines cannot carry these; pass such data in a file"])
                ok = false
                continue
            }
            if i == 0, !text.hasPrefix("/") {
                let program = text.split(separator: "/").last.map(String.init) ?? text
                error(itemPath, "the program must be an absolute path, found '\(text)'", at: item.mark,
                      hints: ["give the full path, for example /usr/bin/\(program)"])
                ok = false
            } else if i == 0, systemdRunsProgram, text.contains("$") {
                error(itemPath, "systemd cannot run a program whose path contains '$', found '\(text)'", at: item.mark,
                      hints: ["systemd runs the path as written and does not unescape '$$' there; "
                          + "move or link the program to a path without '$' (arguments may contain '$')"])
                ok = false
            }
            argv.append(text)
        }
        return ok ? argv : nil
    }

    static let limitOrder = ["min", "low", "high", "max"]
    static let memoryLimitFields = limitOrder + ["nodes", "tier", "policy"]

    func memoryLimits(_ node: YAMLNode, _ path: String) -> MemoryLimits? {
        let what = "a mapping {min, low, high, max, nodes, tier, policy}"
        if let text = node.scalar, !node.isNull {
            error(path, "expected \(what), found \(describe(node))", at: node.mark,
                  hints: ["to cap the service's memory write memory: {max: \(text)}"])
            return nil
        }
        guard let f = fields(node, path, allowed: LayoutReader.memoryLimitFields, what: what) else { return nil }
        var limits = MemoryLimits()
        var ok = true
        var given: [(key: String, limit: Limit, mark: SourceMark)] = []
        for key in LayoutReader.limitOrder {
            guard let n = f[key] else { continue }
            guard let limit = limit(n, f.path(key)) else { ok = false; continue }
            given.append((key, limit, n.mark))
            switch key {
            case "min": limits.min = limit
            case "low": limits.low = limit
            case "high": limits.high = limit
            default: limits.max = limit
            }
        }
        for (a, b) in zip(given, given.dropFirst()) where LayoutReader.bytes(a.limit) > LayoutReader.bytes(b.limit) {
            error(f.path(a.key), "memory.\(a.key) (\(LayoutReader.show(a.limit))) is above memory.\(b.key) (\(LayoutReader.show(b.limit)))",
                  at: a.mark, hints: ["systemd expects min <= low <= high <= max"])
            ok = false
        }
        if let n = f["nodes"] {
            if case .string(let s, _)? = n.resolvedScalar, s == "local" || s == "any" {
                limits.nodes = s == "local" ? .local : .any
            } else if n.sequence != nil || n.resolvedScalar?.isInteger == true {
                if let ids = nodeIDs(n, f.path("nodes")) { limits.nodes = .list(ids) } else { ok = false }
            } else {
                error(f.path("nodes"), "expected 'local', 'any' or a list of NUMA node ids, found \(describe(n))",
                      at: n.mark)
                ok = false
            }
        }
        if let n = f["tier"] {
            if let tier = choice(n, f.path("tier"), MemoryTierRequest.self) { limits.tier = tier } else { ok = false }
        }
        if let n = f["policy"] {
            if let policy = choice(n, f.path("policy"), MemoryPolicy.self) { limits.policy = policy } else { ok = false }
        }
        return ok ? limits : nil
    }

    static func bytes(_ limit: Limit) -> UInt64 {
        if case .value(let v) = limit { return v }
        return .max
    }

    static func show(_ limit: Limit) -> String {
        if case .value(let v) = limit { return "\(ByteSize(v))" }
        return "infinity"
    }
}
