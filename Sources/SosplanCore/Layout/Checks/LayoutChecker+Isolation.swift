/// `isolated` and `power` need CPUs of the owner's own that Linux runs;
/// `spec.isolation` needs something isolated to act on.
extension LayoutChecker {
    mutating func isolationAndPower() {
        var anyIsolated = false
        for (i, s) in services(with: "isolated") where s.isolated {
            let path = LayoutChecker.servicePath(i) + ".isolated"
            if let enclave = s.stack.enclaveName {
                error(path, "a service in enclave '\(enclave)' runs on CPUs Linux has given away: no Linux interrupt or kernel work reaches them",
                      at: s.marks["isolated"], hints: ["remove isolated"])
            } else if s.cpus.isShared, !isBroken(LayoutChecker.servicePath(i) + ".cpus") {
                error(path, "an isolated service needs CPUs of its own; '\(s.name)' runs on the shared pool",
                      at: s.marks["isolated"], hints: ["give it cpus: a count, a list or {count, numa}"])
            } else {
                anyIsolated = true
            }
        }
        for (i, s) in services(with: "power") where s.power != nil {
            let path = LayoutChecker.servicePath(i) + ".power"
            if let enclave = s.stack.enclaveName {
                error(path, "a service in enclave '\(enclave)' uses the enclave's CPUs; their power class is the enclave's",
                      at: s.marks["power"], hints: ["set power on enclave '\(enclave)'"])
            } else if s.cpus.isShared, !isBroken(LayoutChecker.servicePath(i) + ".cpus") {
                error(path, "'\(s.name)' runs on the shared pool, whose CPUs are not its own to set",
                      at: s.marks["power"], hints: ["give it cpus of its own, or set spec.power.unassigned for the shared pool"])
            }
        }
        let isolation = layout.isolation
        if isolation.written && !anyIsolated && !layout.services.indices.contains(where: { isBroken(LayoutChecker.servicePath($0) + ".isolated") }) {
            diagnostics.append(.warning(
                "spec.isolation: no service is isolated, so it has no effect", file: layout.file, at: layout.marks["spec.isolation"] ?? .start,
                hints: ["mark a service with CPUs of its own isolated: true"]))
        }
    }
}
