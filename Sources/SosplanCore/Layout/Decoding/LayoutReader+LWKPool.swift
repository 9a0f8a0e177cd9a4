/// `spec.slurm.lwkPool`: CPUs and memory kept for per-job enclaves.
extension LayoutReader {
    static let lwkPoolFields = ["driver", "cpus", "memory", "numa", "maxCPUsPerJob", "feature", "image", "args"]

    func lwkPool(_ node: YAMLNode, _ path: String) -> LWKJobPool? {
        guard let f = fields(node, path, allowed: LayoutReader.lwkPoolFields, required: ["driver", "cpus", "memory"]) else { return nil }
        var pool = LWKJobPool(driver: .mckernel, cpus: CPUSet(), memory: .zero, marks: LayoutReader.marks(of: node))
        var ok = true
        if let n = f["driver"] {
            if let d = choice(n, f.path("driver"), EnclaveDriverKind.self) { pool.driver = d } else { ok = false }
        }
        if let n = f["cpus"] {
            // Only an explicit list: the pool's CPUs must not move while jobs hold enclaves on them.
            if let text = string(n, f.path("cpus"), what: "a CPU list such as \"4-7\""), let set = cpuList(n, text, f.path("cpus")) {
                if set.isEmpty {
                    error(f.path("cpus"), "the pool has no CPUs", at: n.mark, hints: ["name the CPUs kept for LWK jobs: \"4-7\""])
                    ok = false
                } else {
                    pool.cpus = set
                }
            } else { ok = false }
        }
        if let n = f["memory"] {
            if let size = size(n, f.path("memory")), size.bytes >= 2 << 20 { pool.memory = size } else {
                if !isBroken(f.path("memory")) {
                    error(f.path("memory"), "the pool needs at least 2Mi of memory", at: n.mark, hints: ["e.g. memory: 4Gi"])
                }
                ok = false
            }
        }
        if let n = f["numa"] {
            if let id = int(n, f.path("numa"), in: 0...4095, what: "a NUMA node id") { pool.numa = id } else { ok = false }
        }
        if let n = f["maxCPUsPerJob"] {
            if let max = int(n, f.path("maxCPUsPerJob"), in: 1...65536, what: "a CPU count") {
                if !pool.cpus.isEmpty, max > pool.cpus.count {
                    error(f.path("maxCPUsPerJob"), "a job cannot have \(max) CPUs: the pool has \(pool.cpus.count)", at: n.mark,
                          hints: ["at most \(pool.cpus.count), or more CPUs in lwkPool.cpus"])
                    ok = false
                } else {
                    pool.maxCPUsPerJob = max
                }
            } else { ok = false }
        }
        if let n = f["feature"], let feature = string(n, f.path("feature"), what: "a feature name") {
            if SlurmNodeDefinition.isName(feature) { pool.feature = feature } else {
                error(f.path("feature"), "'\(ControlCharacters.shown(feature))' is not a Slurm feature name", at: n.mark,
                      hints: ["a letter or digit, then letters, digits, '.', '_' or '-' (at most 64)"])
                ok = false
            }
        }
        if let n = f["image"] { pool.image = absolutePath(n, f.path("image"), what: "the kernel image") }
        if let n = f["args"], let args = string(n, f.path("args"), what: "a string of kernel arguments") {
            if !LayoutReader.isSingleLine(args) {
                error(f.path("args"), "kernel arguments contain a NUL byte or a line break", at: n.mark)
                ok = false
            } else if pool.driver == .mckernel, !args.split(separator: " ").contains("hidos") {
                error(f.path("args"), "McKernel's kernel arguments must include 'hidos'", at: n.mark,
                      hints: ["write \"hidos \(args)\""])
                ok = false
            } else {
                pool.args = args
            }
        }
        return ok ? pool : nil
    }
}
