/// systemd checks: each unit is placed by one service, each slice belongs
/// to one service and does not lie inside another service's slice.
extension LayoutChecker {
    mutating func unitsOwnedOnce() {
        // Owners are kept by index; a mark is looked up only for a message.
        var owner: [String: (index: Int, unit: Int)] = [:]
        var execUnits: [String: (service: String, field: String)] = [:]
        for i in serviceIndices(with: "exec") where layout.services[i].exec != nil && !layout.services[i].name.isEmpty {
            execUnits[layout.services[i].execUnitName] = (layout.services[i].name, "exec")
        }
        for i in serviceIndices(with: "container") where layout.services[i].container != nil && !layout.services[i].name.isEmpty {
            execUnits[layout.services[i].execUnitName] = (layout.services[i].name, "container")
        }
        for i in serviceIndices(with: "name") where !layout.services[i].name.isEmpty && !repeatedServices.contains(i) {
            for (k, unit) in layout.services[i].units.enumerated() {
                if let creator = execUnits[unit] {
                    error(LayoutChecker.servicePath(i) + ".units[\(k)]",
                          "'\(unit)' is the unit sosplan creates for service '\(creator.service)' (its \(creator.field))",
                          at: unitMark(i, k), hints: ["list only units that exist outside sosplan"])
                } else if let first = owner[unit] {
                    let whom = first.index == i ? "this service" : "service '\(layout.services[first.index].name)'"
                    let line = unitMark(first.index, first.unit)?.line ?? 0
                    error(LayoutChecker.servicePath(i) + ".units[\(k)]", "unit '\(unit)' is already placed by \(whom) (line \(line))",
                          at: unitMark(i, k), hints: ["a unit runs in one slice; list it in one service only"])
                } else {
                    owner[unit] = (i, k)
                }
            }
        }
    }

    private func unitMark(_ service: Int, _ unit: Int) -> SourceMark? { layout.services[service].marks["units[\(unit)]"] }

    mutating func slicesOwnedOnce() {
        // Services by index; marks are looked up only for messages.
        var owner: [String: Int] = [:]
        var placed: [Int] = []
        for i in serviceIndices(with: "slice") where !layout.services[i].name.isEmpty && !repeatedServices.contains(i) {
            let slice = layout.services[i].slice
            if let first = owner[slice] {
                error(slicePath(i), "slice '\(slice)' is already used by service '\(layout.services[first].name)' (line \(sliceMark(first)?.line ?? 0))",
                      at: sliceMark(i),
                      hints: ["each service needs a slice of its own: CPU and memory settings apply to the whole slice"])
                continue
            }
            owner[slice] = i
            placed.append(i)
        }
        for i in placed {
            let name = layout.services[i].name, slice = layout.services[i].slice
            guard let parent = UnitNames.innermostParentSlice(of: slice, where: { owner[$0] != nil }),
                let outer = owner[parent], layout.services[outer].name != name
            else { continue }
            error(slicePath(i),
                  "slice '\(slice)' lies inside '\(parent)' of service '\(layout.services[outer].name)' (line \(sliceMark(outer)?.line ?? 0)), so it could only use that service's CPUs",
                  at: sliceMark(i),
                  hints: ["a '-' in a slice name nests it; rename the service or set slice: to a name outside '\(parent)'"])
        }
    }

    /// True when the service names its slice (not the default one).
    private func writesSlice(_ i: Int) -> Bool {
        let s = layout.services[i]
        return s.slice != ServiceSpec.defaultSlice(for: s.name)
    }

    /// Where a service's slice comes from: its `slice` field, or its name.
    private func sliceMark(_ i: Int) -> SourceMark? {
        writesSlice(i) ? layout.services[i].marks["slice"] : layout.services[i].marks["name"]
    }

    private func slicePath(_ i: Int) -> String { LayoutChecker.servicePath(i) + (writesSlice(i) ? ".slice" : ".name") }

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
