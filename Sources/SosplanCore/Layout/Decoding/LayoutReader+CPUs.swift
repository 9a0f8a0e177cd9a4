/// Who asks for CPUs: decides whether `shared` is allowed and how low `min`
/// may go.
enum CPUOwnerKind {
    case host, enclave, service

    var allowsShared: Bool { self == .service }
    /// A service may shrink to no CPUs of its own (it then runs on the
    /// shared pool); the host and an enclave always keep at least one.
    var minimumFloor: Int { self == .service ? 0 : 1 }
}

/// CPU amounts (`cpus:`): a count (`4`), a CPU list (`"0-3,8"`, or plain
/// `0-3,8`), `shared`, or a map `{count, list, numa, min, max}`.
extension LayoutReader {
    /// CPU ids go up to `CPUSet.maximumID`; no count can exceed their number
    /// (which also keeps sums of counts far from overflowing).
    static let maximumCPUs = CPUSet.maximumID + 1

    static let cpuAmountForms =
        "a count (4), a CPU list (\"0-3,8\"), 'shared' or a mapping {count, numa, min, max}"

    func cpuAmount(_ node: YAMLNode, _ path: String, for owner: CPUOwnerKind) -> CPUAmount? {
        if node.mapping != nil { return cpuMap(node, path, for: owner) }
        let forms = owner.allowsShared ? LayoutReader.cpuAmountForms
            : "a count (4), a CPU list (\"0-3,8\") or a mapping {count, numa, min, max}"
        switch node.resolvedScalar {
        case .int(let v?)? where v > LayoutReader.maximumCPUs:
            error(path, "\(v) CPUs is more than any host has (at most \(LayoutReader.maximumCPUs))", at: node.mark)
        case .int(let v?)?:
            guard v >= 1 else {
                let hints = owner.allowsShared ? ["write cpus: shared for a service without CPUs of its own"] : []
                error(path, "a CPU count must be at least 1, found \(v)", at: node.mark, hints: hints)
                return nil
            }
            return .count(CPURequest(count: v))
        case .string(let s, let quoted)?:
            if s == "shared" {
                guard owner.allowsShared else {
                    error(
                        path, "'shared' is only for services; \(owner == .host ? "the host" : "an enclave") needs CPUs of its own",
                        at: node.mark, hints: ["give a count such as 2"])
                    return nil
                }
                return .shared
            }
            if LayoutReader.looksLikeCPUList(s), quoted || s.contains("-") || s.contains(",") || s.contains(" ") {
                guard let set = cpuList(node, s, path) else { return nil }
                if quoted, s.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    warning(
                        path, "the quoted \"\(s)\" is a CPU list: CPU \(s) alone, not \(s) CPUs", at: node.mark,
                        hints: ["write cpus: \(s) without quotes for a count of \(s) CPUs",
                                "write cpus: {list: \"\(s)\"} to mean CPU \(s) and silence this warning"])
                }
                return .list(set, numa: nil)
            }
            error(path, "expected \(forms), found \(describe(node))", at: node.mark, hints: LayoutReader.cpuHints(s))
        case .int(nil)?:
            error(path, "CPU count \(node.scalar ?? "") is too large", at: node.mark)
        case .float?:
            error(path, "expected \(forms), found \(describe(node))", at: node.mark, hints: ["CPUs are given whole"])
        default:
            var hints: [String] = []
            if let items = node.sequence {
                let ids = items.compactMap { item -> Int? in
                    if case .int(let v?)? = item.resolvedScalar, v >= 0, v <= CPUSet.maximumID { return v }
                    return nil
                }
                if !ids.isEmpty, ids.count == items.count {
                    hints.append("write a CPU list as one string: \"\(CPUSet(ids).listString)\"")
                }
            }
            error(path, "expected \(forms), found \(describe(node))", at: node.mark, hints: hints)
        }
        return nil
    }

    /// Digits, `-`, `,` and spaces only, or a digit first and a `-` or `,`
    /// in it (`0-3,x`): such a string is read as a CPU list, so a mistake in
    /// it gets the list parser's precise message.
    static func looksLikeCPUList(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        if s.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "-" || $0 == "," || $0 == " " }) { return true }
        return first.isASCII && first.isNumber && (s.contains("-") || s.contains(","))
    }

    static func cpuHints(_ s: String) -> [String] {
        if s.hasSuffix("m"), s.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) {
            return ["sosplan gives whole CPUs; run the service on the shared pool (cpus: shared) and set cpuWeight for its share"]
        }
        if ["all", "auto", "any", "none"].contains(s.lowercased()) {
            return ["leave cpus out (or write cpus: shared) to run on the shared pool"]
        }
        return []
    }

    /// A strict CPU list; a problem points at the offending part inside the
    /// string (one column further for an opening quote).
    func cpuList(_ node: YAMLNode, _ text: String, _ path: String) -> CPUSet? {
        do {
            let set = try CPUSet(strictList: text)
            return set
        } catch {
            let column = node.mark.column + error.offset + (node.isQuoted ? 1 : 0)
            self.error(
                path, "'\(text)' is not a valid CPU list: \(error.message)",
                at: SourceMark(line: node.mark.line, column: column),
                hints: ["a CPU list is ascending ids and ranges separated by commas, without spaces: \"0-3,8,10-11\""])
            return nil
        }
    }

    /// The map form. `list` and `count` may both be given when they agree;
    /// a list has a fixed size, so its `min`/`max` must equal that size.
    func cpuMap(_ node: YAMLNode, _ path: String, for owner: CPUOwnerKind) -> CPUAmount? {
        let allowed = ["count", "list", "numa", "min", "max"]
        guard let f = fields(node, path, allowed: allowed) else { return nil }
        var ok = true
        func read<T>(_ key: String, _ body: (YAMLNode, String) -> T?) -> T? {
            guard let n = f[key] else { return nil }
            let v = body(n, f.path(key))
            if v == nil { ok = false }
            return v
        }
        let list = read("list") { n, p -> CPUSet? in
            if case .int(let v?)? = n.resolvedScalar, v >= 0, v <= CPUSet.maximumID { return CPUSet([v]) }
            guard let s = string(n, p, what: "a CPU list such as \"4-7\"") else { return nil }
            return cpuList(n, s, p)
        }
        let cap = LayoutReader.maximumCPUs
        let count = read("count") { n, p in int(n, p, in: 1...cap, what: "a CPU count") }
        let numa = read("numa") { n, p in nodeIDs(n, p) }
        let minimum = read("min") { n, p in int(n, p, in: owner.minimumFloor...cap, what: "min") }
        let maximum = read("max") { n, p in int(n, p, in: 1...cap, what: "max") }
        guard ok else { return nil }
        if let list {
            if let count, count != list.count {
                error(
                    f.path("count"), "count \(count) does not match the \(list.count) CPUs of list '\(list)'",
                    at: f["count"]!.mark, hints: ["leave count out: a list gives its own count"])
                ok = false
            }
            for (key, value) in [("min", minimum), ("max", maximum)] {
                guard let value, value != list.count else { continue }
                error(
                    f.path(key), "\(key) \(value) differs from the \(list.count) CPUs of list '\(list)'",
                    at: f[key]!.mark,
                    hints: ["an explicit CPU list neither shrinks nor grows; use count with min and max for an elastic owner"])
                ok = false
            }
            return ok ? .list(list, numa: numa) : nil
        }
        guard let count else {
            if f["count"] == nil, !hasUnknownKeys(f, allowed: allowed) {
                error(path, "needs 'count' (how many CPUs) or 'list' (which CPUs)", at: node.mark)
            }
            return nil
        }
        let request = CPURequest(count: count, numa: numa, min: minimum, max: maximum)
        if let minimum, minimum > count {
            error(f.path("min"), "min \(minimum) is above count \(count)", at: f["min"]!.mark,
                  hints: ["min is the floor the owner may shrink to; it must be at most count"])
            ok = false
        }
        if let maximum, maximum < count {
            error(f.path("max"), "max \(maximum) is below count \(count)", at: f["max"]!.mark,
                  hints: ["max is the ceiling the owner may grow to; it must be at least count"])
            ok = false
        }
        return ok ? .count(request) : nil
    }
}
