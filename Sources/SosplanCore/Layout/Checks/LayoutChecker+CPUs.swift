/// CPU checks: what an enclave can give its services, explicit CPU lists
/// that two owners claim, and NUMA requests the policy cannot honour.
extension LayoutChecker {
    /// A service in an enclave gets its CPUs from that enclave: its count
    /// and max cannot exceed the enclave's, its list must lie inside the
    /// enclave's list, and the enclave's services must fit at their minimum.
    mutating func enclaveCapacity() {
        // Only services in an enclave with CPUs of their own can be members below.
        let checker = self
        let services = layout.services
        let inside = serviceIndices(with: "cpus").filter {
            services[$0].stack.enclaveName != nil && !services[$0].cpus.isShared
                && !checker.isBroken(LayoutChecker.servicePath($0) + ".stack")
        }.map { ($0, services[$0]) }
        for (ei, enclave) in enclaves(with: "cpus") where !enclave.name.isEmpty {
            let line = enclave.marks["cpus"]?.line ?? 0
            let members = inside.filter { $0.1.stack.enclaveName == enclave.name && !$0.1.cpus.isShared }
            for (si, service) in members {
                let path = LayoutChecker.servicePath(si) + ".cpus"
                let cpus = service.cpus, own = enclave.cpus
                if cpus.nominal > own.nominal {
                    error(path, "asks for \(cpus.nominal) CPUs, but enclave '\(enclave.name)' has \(own.nominal) (line \(line))",
                          at: service.marks["cpus"], hints: ["a service in an enclave gets its CPUs from the enclave; give the enclave more CPUs or the service fewer"])
                } else if cpus.maximum > own.maximum {
                    error(path, "may grow to \(cpus.maximum) CPUs, but enclave '\(enclave.name)' has at most \(own.maximum) (line \(line))",
                          at: service.marks["cpus.max"], hints: ["lower the service's max, or raise the enclave's"])
                }
                if let list = cpus.explicitCPUs, let outer = own.explicitCPUs, !list.isSubset(of: outer) {
                    error(path, "\(LayoutChecker.cpus(list.subtracting(outer))) outside enclave '\(enclave.name)', which has CPUs \(outer) (line \(line))",
                          at: service.marks["cpus"], hints: ["a service in an enclave runs on CPUs of that enclave"])
                }
            }
            let floor = members.reduce(0) { $0 + $1.1.cpus.minimum }
            if members.count > 1, floor > enclave.cpus.maximum {
                let names = members.map { "'\($0.1.name)'" }.joined(separator: ", ")
                error(LayoutChecker.enclavePath(ei) + ".cpus",
                      "its services \(names) need at least \(floor) CPUs together, more than the enclave's \(enclave.cpus.maximum)",
                      at: enclave.marks["cpus"], hints: ["each service in an enclave has CPUs of its own; lower their min or give the enclave more CPUs"])
            }
        }
    }

    /// No CPU has two owners: explicit lists of the host, enclaves and
    /// exclusive Linux services must not overlap; nor those of the services
    /// inside one enclave.
    mutating func explicitCPUsOwnedOnce() {
        typealias Claim = (what: String, path: String, mark: SourceMark?, cpus: CPUSet)
        var domains: [String: [Claim]] = [:]
        if !isBroken("spec.host.cpus"), let cpus = layout.host.cpus.explicitCPUs {
            domains["", default: []].append(("the host", "spec.host.cpus", layout.host.marks["cpus"], cpus))
        }
        for (i, e) in enclaves(with: "cpus") {
            guard let cpus = e.cpus.explicitCPUs else { continue }
            domains["", default: []].append(("enclave '\(e.name)'", LayoutChecker.enclavePath(i) + ".cpus", e.marks["cpus"], cpus))
        }
        for i in serviceIndices(with: "cpus") where !isBroken(LayoutChecker.servicePath(i) + ".stack") {
            guard let cpus = layout.services[i].cpus.explicitCPUs else { continue }
            let s = layout.services[i]
            domains[s.stack.enclaveName ?? "", default: []].append(
                ("service '\(s.name)'", LayoutChecker.servicePath(i) + ".cpus", s.marks["cpus"], cpus))
        }
        for key in domains.keys.sorted() {
            let claims = domains[key]!
            for (j, claim) in claims.enumerated() {
                for earlier in claims[..<j] where !claim.cpus.isDisjoint(with: earlier.cpus) {
                    let shared = claim.cpus.intersection(earlier.cpus)
                    error(claim.path, "\(LayoutChecker.cpus(shared)) already given to \(earlier.what) (line \(earlier.mark?.line ?? 0))",
                          at: claim.mark, hints: ["no CPU has two owners"])
                    break
                }
            }
        }
    }

    /// `single-numa-node` keeps every owner on one node: asking for CPUs or
    /// memory on several nodes contradicts it.
    mutating func numaPolicy() {
        guard layout.policy.topology == .singleNUMANode, !isBroken("spec.policy") else { return }
        let why = "policy topology single-numa-node keeps each owner on one NUMA node"
        for (i, e) in enclaves(with: "cpus") {
            if let nodes = e.cpus.numaNodes, nodes.count > 1 {
                error(LayoutChecker.enclavePath(i) + ".cpus.numa", "asks for CPUs on NUMA nodes \(LayoutChecker.list(nodes))",
                      at: e.marks["cpus.numa"], hints: [why])
            }
        }
        for (i, e) in enclaves(with: "memory") {
            let nodes = Set(e.memory.compactMap(\.numa))
            if nodes.count > 1 {
                error(LayoutChecker.enclavePath(i) + ".memory", "asks for memory on NUMA nodes \(LayoutChecker.list(nodes.sorted()))",
                      at: e.marks["memory"], hints: [why])
            }
        }
        for (i, s) in services(with: "cpus") {
            if let nodes = s.cpus.numaNodes, nodes.count > 1 {
                error(LayoutChecker.servicePath(i) + ".cpus.numa", "asks for CPUs on NUMA nodes \(LayoutChecker.list(nodes))",
                      at: s.marks["cpus.numa"], hints: [why])
            }
        }
        for (i, s) in services(with: "memory") {
            if case .list(let nodes) = s.memory.nodes, nodes.count > 1 {
                error(LayoutChecker.servicePath(i) + ".memory.nodes", "allows memory on NUMA nodes \(LayoutChecker.list(nodes))",
                      at: s.marks["memory.nodes"], hints: [why])
            }
        }
    }

    /// "CPU 4 is" / "CPUs 4-7 are", to start a sentence about a CPU set.
    static func cpus(_ set: CPUSet) -> String { set.count == 1 ? "CPU \(set) is" : "CPUs \(set) are" }

    static func list(_ ids: [Int]) -> String { ids.map(String.init).joined(separator: ", ") }

    /// mOS makes one LWK partition per host.
    mutating func driverLimits() {
        var first: (String, Int)?
        for (i, e) in enclaves(with: "driver") where e.driver == .mos && !isBroken(LayoutChecker.enclavePath(i)) {
            if let first {
                error(LayoutChecker.enclavePath(i) + ".driver",
                      "mOS has one LWK partition per host, and enclave '\(first.0)' (line \(first.1)) already uses it",
                      at: e.marks["driver"], hints: ["give one mos enclave all the LWK CPUs and memory, and run several services in it"])
            } else {
                first = (e.name, e.marks["driver"]?.line ?? 0)
            }
        }
    }
}
