/// `spec.slurm`: which Linux service is the Slurm job partition.
extension LayoutReader {
    func slurm(_ node: YAMLNode, services: [ServiceSpec]) -> SlurmSpec? {
        guard let f = fields(node, "spec.slurm", allowed: ["jobs", "node", "features", "lwkPool"], required: ["jobs"]) else { return nil }
        var spec = SlurmSpec(jobs: "", marks: LayoutReader.marks(of: node))
        if let n = f["jobs"], let jobs = string(n, f.path("jobs"), what: "a service name") {
            let names = services.map(\.name)
            if let service = services.first(where: { $0.name == jobs }) {
                if service.stack != .linux {
                    error(f.path("jobs"), "service '\(jobs)' runs in an enclave; Slurm's jobs run on Linux", at: n.mark,
                          hints: ["name a Linux service; LWK jobs get an enclave per job (sosplan job prolog)"])
                } else if service.cpus.isShared {
                    error(f.path("jobs"), "service '\(jobs)' has no CPUs of its own (cpus: shared); Slurm's job partition needs them",
                          at: n.mark, hints: ["give it cpus: {count: N} (with min: 0 it falls back to the shared pool when CPUs are short)"])
                } else if service.existingSlice || !service.units.isEmpty || service.exec != nil || service.container != nil {
                    error(f.path("jobs"), "service '\(jobs)' runs units of its own; Slurm's job partition holds only the jobs slurmd starts",
                          at: n.mark, hints: ["make a service with only name and cpus (and memory) for the jobs"])
                } else {
                    spec.jobs = jobs
                }
            } else {
                var hints = Suggestions.hint(for: jobs, in: names).map { [$0] } ?? []
                hints.append(names.isEmpty ? "the layout has no services" : "services: " + names.joined(separator: ", "))
                error(f.path("jobs"), "no service '\(jobs)' in this layout", at: n.mark, hints: hints)
            }
        }
        if let n = f["node"], let name = string(n, f.path("node"), what: "a Slurm node name") {
            if SlurmNodeDefinition.isName(name) { spec.node = name } else {
                error(f.path("node"), "'\(ControlCharacters.shown(name))' is not a Slurm node name", at: n.mark,
                      hints: ["a letter or digit, then letters, digits, '.', '_' or '-' (at most 64)"])
            }
        }
        if let n = f["features"], let list = items(n, f.path("features")) {
            for (i, item) in list.enumerated() {
                guard let feature = string(item, f.path("features") + "[\(i)]", what: "a feature name") else { continue }
                if SlurmNodeDefinition.isName(feature) { spec.features.append(feature) } else {
                    error(f.path("features") + "[\(i)]", "'\(ControlCharacters.shown(feature))' is not a Slurm feature name", at: item.mark,
                          hints: ["a letter or digit, then letters, digits, '.', '_' or '-' (at most 64)"])
                }
            }
        }
        if let n = f["lwkPool"], let pool = lwkPool(n, f.path("lwkPool")) {
            if !spec.features.contains(pool.feature) {
                error(f.path("lwkPool") + ".feature", "jobs ask for an LWK with --constraint=\(pool.feature), but the node does not offer feature '\(pool.feature)'",
                      at: pool.marks["feature"] ?? n.mark, hints: ["add it to spec.slurm.features: [\((spec.features + [pool.feature]).joined(separator: ", "))]"])
            }
            spec.lwkPool = pool
        }
        return spec.jobs.isEmpty ? nil : spec
    }
}
