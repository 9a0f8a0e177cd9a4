/// `spec.enclaves[]`: co-kernel partitions.
extension LayoutReader {
    static let enclaveFields = ["name", "driver", "image", "args", "deviceGroup", "cpus", "near", "memory", "priority", "power"]

    func enclave(_ node: YAMLNode, _ path: String) -> EnclaveSpec {
        var enclave = EnclaveSpec(
            name: "", driver: .mckernel, cpus: .count(CPURequest(count: 1)), memory: [],
            marks: LayoutReader.marks(of: node))
        guard let f = fields(node, path, allowed: LayoutReader.enclaveFields,
                             required: ["name", "driver", "cpus", "memory"])
        else { return enclave }
        if let n = f["name"] { enclave.name = dnsLabel(n, f.path("name"), what: "enclave name") ?? "" }
        var driver: EnclaveDriverKind?
        if let n = f["driver"] {
            if n.scalar == "jailhouse" {
                error(f.path("driver"), "the jailhouse driver is not supported yet", at: n.mark,
                      hints: ["drivers: 'mckernel', 'pisces', 'mos'"])
            } else {
                driver = choice(n, f.path("driver"), EnclaveDriverKind.self)
            }
        }
        if let driver { enclave.driver = driver }
        if let n = f["image"] { enclave.image = absolutePath(n, f.path("image"), what: "the kernel image") }
        if let n = f["args"], let args = string(n, f.path("args"), what: "a string of kernel arguments") {
            if !LayoutReader.isSingleLine(args) {
                error(f.path("args"), "kernel arguments contain a NUL byte or a line break", at: n.mark)
            } else if driver == .mckernel, !args.split(separator: " ").contains("hidos") {
                error(f.path("args"), "McKernel's kernel arguments must include 'hidos'", at: n.mark,
                      hints: ["McKernel needs it and mcreboot always passes it (ihklib refuses arguments without it; ihkosctl does not check); write \"hidos \(args)\""])
            } else {
                enclave.args = args
            }
        }
        if let n = f["deviceGroup"], let group = string(n, f.path("deviceGroup"), what: "a group name") {
            if driver != nil && driver != .mckernel {
                error(f.path("deviceGroup"), "only McKernel has device nodes to give a group (/dev/mcd*, /dev/mcos*)", at: n.mark,
                      hints: ["remove deviceGroup; \(driver!.rawValue) launchers need no device access"])
            } else {
                do {
                    try EnclaveText.checkGroupName(group, field: "deviceGroup")
                    enclave.deviceGroup = group
                } catch {
                    self.error(f.path("deviceGroup"), "'\(group)' is not a group name", at: n.mark,
                          hints: ["a-z, 0-9, '_', '-', starting with a letter or '_', at most 32 characters (the group whose members run mcexec)"])
                }
            }
        }
        if let n = f["cpus"], let cpus = cpuAmount(n, f.path("cpus"), for: .enclave) {
            enclave.cpus = cpus
            if driver == .mckernel, cpus.explicitCPUs?.contains(0) == true {
                error(f.path("cpus"), "IHK cannot reserve CPU 0 for McKernel", at: n.mark,
                      hints: ["CPU 0 stays with Linux; start the list at CPU 1 or later"])
            }
        }
        if let n = f["near"], let near = near(n, f.path("near")) { enclave.near = near }
        if let n = f["memory"], let memory = enclaveMemory(n, f.path("memory"), driver: driver) {
            enclave.memory = memory
        }
        if let n = f["priority"], let p = int(n, f.path("priority"), in: LayoutReader.priorityRange, what: "a priority") { enclave.priority = p }
        if let n = f["power"] { enclave.power = powerClass(n, f.path("power")) }
        return enclave
    }

    /// `4Gi`, `{size: 4Gi, numa: 1}`, or a non-empty list of those with
    /// each node at most once.
    func enclaveMemory(_ node: YAMLNode, _ path: String, driver: EnclaveDriverKind?) -> [MemoryRequest]? {
        guard let items = node.sequence else {
            return memoryChunk(node, path, driver: driver).map { [$0] }
        }
        guard !items.isEmpty else {
            error(path, "an enclave needs memory; the list is empty", at: node.mark)
            return nil
        }
        var chunks: [MemoryRequest] = []
        var ok = true
        var firstOnNode: [Int: SourceMark] = [:]
        // Memory placed by sosplan: once per tier (HBM and DRAM may both be asked for).
        var anywhere: [MemoryTierRequest: SourceMark] = [:]
        for (i, item) in items.enumerated() {
            guard let chunk = memoryChunk(item, "\(path)[\(i)]", driver: driver) else {
                ok = false
                continue
            }
            if let numa = chunk.numa {
                if let first = firstOnNode[numa] {
                    error("\(path)[\(i)]", "NUMA node \(numa) already has memory at line \(first.line)", at: item.mark,
                          hints: ["give one size per node"])
                    ok = false
                }
                firstOnNode[numa] = firstOnNode[numa] ?? item.mark
            } else {
                let tier = chunk.tier ?? .any
                if let first = anywhere[tier] {
                    let which = tier == .any ? "memory without 'numa'" : "memory of tier \(tier.rawValue) without 'numa'"
                    error("\(path)[\(i)]", "\(which) is already given at line \(first.line)", at: item.mark,
                          hints: ["add the sizes up, or give each chunk its node"])
                    ok = false
                }
                anywhere[tier] = anywhere[tier] ?? item.mark
            }
            chunks.append(chunk)
        }
        return ok ? chunks : nil
    }

    private func memoryChunk(_ node: YAMLNode, _ path: String, driver: EnclaveDriverKind?) -> MemoryRequest? {
        var chunk = MemoryRequest(size: .zero)
        var sizeNode = node
        var sizePath = path
        if node.mapping != nil {
            guard let f = fields(node, path, allowed: ["size", "numa", "tier", "policy"], required: ["size"],
                                 what: "a size or a mapping {size, numa, tier, policy}")
            else { return nil }
            if let n = f["tier"] {
                guard let tier = choice(n, f.path("tier"), MemoryTierRequest.self) else { return nil }
                chunk.tier = tier
            }
            if let n = f["policy"] {
                guard let policy = choice(n, f.path("policy"), MemoryPolicy.self) else { return nil }
                chunk.policy = policy
            }
            guard let n = f["size"] else { return nil }
            sizeNode = n
            sizePath = f.path("size")
            if let n = f["numa"] {
                guard let numa = int(n, f.path("numa"), in: 0...LayoutReader.maximumNodeID, what: "a NUMA node id")
                else { return nil }
                chunk.numa = numa
            }
        } else if node.sequence != nil {
            error(path, "expected a size or a mapping {size, numa}, found a list", at: node.mark)
            return nil
        }
        guard let size = size(sizeNode, sizePath) else { return nil }
        guard size.bytes > 0 else {
            error(sizePath, "an enclave's memory cannot be 0 bytes", at: sizeNode.mark)
            return nil
        }
        if driver == .mckernel, size.bytes % (4 << 20) != 0 {
            let down = size.bytes / (4 << 20) * (4 << 20)
            let suggestion = [down, down + (4 << 20)].filter { $0 > 0 }.map { "\(ByteSize($0))" }
            error(sizePath, "McKernel reserves memory in multiples of 4Mi; \(size) is not one", at: sizeNode.mark,
                  hints: ["use " + suggestion.joined(separator: " or ")])
            return nil
        }
        chunk.size = size
        return chunk
    }
}
