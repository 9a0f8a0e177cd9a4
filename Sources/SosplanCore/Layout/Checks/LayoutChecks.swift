/// Checks across a decoded layout that need no host: unique names, known
/// enclaves, CPUs an enclave can hold, units and slices owned once, CPU
/// lists owned once, hugepage pools given once. Host-specific checks (does
/// CPU 40 exist, is there 1Gi of free memory on node 1) happen when planning.
public enum LayoutChecks {
    /// Every cross-check problem of `layout`.
    public static func diagnose(_ layout: HostLayout) -> [Diagnostic] {
        var checker = LayoutChecker(layout: layout, isBroken: nil)
        return checker.run()
    }

    /// As `diagnose(_:)`, skipping values at paths the decoder could not read
    /// (so a mistake is reported once, not again as a follow-on problem).
    static func diagnose(_ layout: HostLayout, skipping isBroken: @escaping (String) -> Bool) -> [Diagnostic] {
        var checker = LayoutChecker(layout: layout, isBroken: isBroken)
        return checker.run()
    }
}

extension LayoutChecker {
    mutating func run() -> [Diagnostic] {
        uniqueNames()
        enclaveReferences()
        enclaveCapacity()
        driverLimits()
        explicitCPUsOwnedOnce()
        numaPolicy()
        unitsOwnedOnce()
        slicesOwnedOnce()
        hugepagePoolsGivenOnce()
        isolationAndPower()
        return diagnostics
    }
}

/// The state of one run of the checks.
struct LayoutChecker {
    let layout: HostLayout
    /// nil when every value decoded (or the layout was built in code).
    let brokenTest: ((String) -> Bool)?

    init(layout: HostLayout, isBroken: ((String) -> Bool)?) {
        self.layout = layout
        self.brokenTest = isBroken
    }

    func isBroken(_ path: @autoclosure () -> String) -> Bool { brokenTest.map { $0(path()) } ?? false }
    var diagnostics: [Diagnostic] = []
    /// Services that repeat an earlier service's name: their units and
    /// slice would only repeat that error.
    var repeatedServices: Set<Int> = []

    mutating func error(_ path: String, _ message: String, at mark: SourceMark?, hints: [String] = []) {
        diagnostics.append(.error(LayoutReader.prefixed(path, message), file: layout.file, at: mark ?? .start, hints: hints))
    }

    static func servicePath(_ i: Int) -> String { "spec.services[\(i)]" }
    static func enclavePath(_ i: Int) -> String { "spec.enclaves[\(i)]" }

    /// Indices of the services whose value at `field` decoded. Checks that
    /// read a field or two use these: a copy of a whole `ServiceSpec` per
    /// service and check was a good part of checking a large layout.
    func serviceIndices(with field: String) -> LazyFilterSequence<Range<Int>> {
        let brokenTest = brokenTest
        return layout.services.indices.lazy
            .filter { i in brokenTest.map { !$0(LayoutChecker.servicePath(i) + "." + field) } ?? true }
    }

    /// Services whose value at `field` decoded, with their index.
    /// Lazy: a 5,000-service layout is not copied once per check.
    func services(with field: String) -> LazyMapSequence<LazyFilterSequence<Range<Int>>, (Int, ServiceSpec)> {
        let services = layout.services, brokenTest = brokenTest
        return services.indices.lazy
            .filter { i in brokenTest.map { !$0(LayoutChecker.servicePath(i) + "." + field) } ?? true }
            .map { ($0, services[$0]) }
    }

    func enclaves(with field: String) -> [(Int, EnclaveSpec)] {
        return layout.enclaves.enumerated().filter { !isBroken(LayoutChecker.enclavePath($0.offset) + "." + field) }
            .map { ($0.offset, $0.element) }
    }

    /// Names are unique among enclaves and among services: the second use
    /// is the error, and it says where the first one is.
    mutating func uniqueNames() {
        var seen: [String: SourceMark] = [:]
        for (i, e) in enclaves(with: "name") where !e.name.isEmpty {
            let mark = e.marks["name"]
            if let first = seen[e.name] {
                error(LayoutChecker.enclavePath(i) + ".name", "enclave '\(e.name)' is already defined at line \(first.line)",
                      at: mark, hints: ["enclave names must be unique"])
            } else {
                seen[e.name] = mark ?? .start
            }
        }
        // The first service of each name, by index: its mark is looked up
        // only for a repeat, not for each of thousands of unique names.
        var firstService: [String: Int] = [:]
        for i in serviceIndices(with: "name") where !layout.services[i].name.isEmpty {
            let name = layout.services[i].name
            if let first = firstService[name] {
                let line = (layout.services[first].marks["name"] ?? .start).line
                error(LayoutChecker.servicePath(i) + ".name", "service '\(name)' is already defined at line \(line)",
                      at: layout.services[i].marks["name"], hints: ["service names must be unique"])
                repeatedServices.insert(i)
            } else {
                firstService[name] = i
            }
        }
    }

    /// `stack: enclave:NAME` must name an enclave of this layout.
    mutating func enclaveReferences() {
        let names = layout.enclaves.map(\.name).filter { !$0.isEmpty }
        let enclavesUnreadable = layout.enclaves.indices.contains { isBroken(LayoutChecker.enclavePath($0) + ".name") }
        for i in serviceIndices(with: "stack") {
            guard let name = layout.services[i].stack.enclaveName, !names.contains(name), !enclavesUnreadable else { continue }
            var hints: [String] = []
            if let h = Suggestions.hint(for: name, in: names) {
                hints.append(h)
            } else if names.isEmpty {
                hints.append("this layout defines no enclaves; add one under spec.enclaves or use stack: linux")
            } else {
                hints.append("enclaves in this layout: " + names.joined(separator: ", "))
            }
            error(LayoutChecker.servicePath(i) + ".stack", "no enclave named '\(name)'", at: layout.services[i].marks["stack"], hints: hints)
        }
    }
}
