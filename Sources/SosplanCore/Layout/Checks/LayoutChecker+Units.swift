/// systemd checks: each unit is placed by one service, each slice belongs
/// to one service and does not lie inside another service's slice.
extension LayoutChecker {
    mutating func unitsOwnedOnce() {
        var owner: [String: (index: Int, service: String, line: Int)] = [:]
        var execUnits: [String: (service: String, field: String)] = [:]
        for (_, s) in services(with: "exec") where s.exec != nil && !s.name.isEmpty {
            execUnits[s.execUnitName] = (s.name, "exec")
        }
        for (_, s) in services(with: "container") where s.container != nil && !s.name.isEmpty {
            execUnits[s.execUnitName] = (s.name, "container")
        }
        for (i, s) in services(with: "name") where !s.name.isEmpty && !repeatedServices.contains(i) {
            for (k, unit) in s.units.enumerated() {
                let path = LayoutChecker.servicePath(i) + ".units[\(k)]"
                let mark = s.marks["units[\(k)]"]
                if let creator = execUnits[unit] {
                    error(path, "'\(unit)' is the unit sosplan creates for service '\(creator.service)' (its \(creator.field))", at: mark,
                          hints: ["list only units that exist outside sosplan"])
                } else if let first = owner[unit] {
                    let whom = first.index == i ? "this service" : "service '\(first.service)'"
                    error(path, "unit '\(unit)' is already placed by \(whom) (line \(first.line))", at: mark,
                          hints: ["a unit runs in one slice; list it in one service only"])
                } else {
                    owner[unit] = (i, s.name, mark?.line ?? 0)
                }
            }
        }
    }

    mutating func slicesOwnedOnce() {
        var owner: [String: (service: String, line: Int)] = [:]
        var placed: [(index: Int, name: String, slice: String, written: Bool, mark: SourceMark?)] = []
        for (i, s) in services(with: "slice") where !s.name.isEmpty && !repeatedServices.contains(i) {
            let written = s.slice != ServiceSpec.defaultSlice(for: s.name)
            let mark = written ? s.marks["slice"] : s.marks["name"]
            let path = LayoutChecker.servicePath(i) + (written ? ".slice" : ".name")
            if let first = owner[s.slice] {
                error(path, "slice '\(s.slice)' is already used by service '\(first.service)' (line \(first.line))", at: mark,
                      hints: ["each service needs a slice of its own: CPU and memory settings apply to the whole slice"])
                continue
            }
            owner[s.slice] = (s.name, mark?.line ?? 0)
            placed.append((i, s.name, s.slice, written, mark))
        }
        for (i, name, slice, written, mark) in placed {
            guard let parent = UnitNames.innermostParentSlice(of: slice, where: { owner[$0] != nil }),
                let outer = owner[parent], outer.service != name
            else { continue }
            error(LayoutChecker.servicePath(i) + (written ? ".slice" : ".name"),
                  "slice '\(slice)' lies inside '\(parent)' of service '\(outer.service)' (line \(outer.line)), so it could only use that service's CPUs",
                  at: mark,
                  hints: ["a '-' in a slice name nests it; rename the service or set slice: to a name outside '\(parent)'"])
        }
    }

    /// Each hugepage size is given once per node, or once for all nodes.
    mutating func hugepagePoolsGivenOnce() {
        var seen: [String: Int] = [:]
        for (i, h) in layout.hugepages.enumerated() where !isBroken("spec.hugepages[\(i)]") && h.size.bytes > 0 {
            let path = "spec.hugepages[\(i)]"
            let line = h.marks[""]?.line ?? 0
            let exact = "\(h.size)@\(h.numa.map(String.init) ?? "*")"
            if let first = seen[exact] {
                let whereText = h.numa.map { "on NUMA node \($0)" } ?? "for all nodes"
                error(path, "\(h.size) hugepages \(whereText) are already given at line \(first)", at: h.marks[""],
                      hints: ["give each size once per node"])
            } else if let first = h.numa == nil
                ? seen.first(where: { $0.key.hasPrefix("\(h.size)@") })?.value : seen["\(h.size)@*"] {
                error(path, "\(h.size) hugepages are given both for all nodes and for one node (line \(first))", at: h.marks[""],
                      hints: ["either spread one count over all nodes (no numa) or give a count per node"])
            }
            seen[exact] = seen[exact] ?? line
        }
    }
}
