/// The document's frame: `apiVersion`, `kind`, `metadata` and `spec`.
extension LayoutReader {
    func layout(_ root: YAMLNode) -> HostLayout? {
        guard root.mapping != nil else {
            error(
                "", "a layout is a mapping with apiVersion, kind, metadata and spec; found \(describe(root))",
                at: root.mark)
            return nil
        }
        guard let f = fields(root, "", allowed: ["apiVersion", "kind", "metadata", "spec"],
                             required: ["apiVersion", "kind", "metadata", "spec"])
        else { return nil }
        if let n = f["apiVersion"], let v = string(n, "apiVersion"), v != LayoutDecoder.apiVersion {
            var hints = ["this sosplan reads apiVersion: \(LayoutDecoder.apiVersion)"]
            if v == "v1" || v.lowercased() == LayoutDecoder.apiVersion { hints = ["write \(LayoutDecoder.apiVersion)"] }
            error("apiVersion", "unsupported version '\(v)'", at: n.mark, hints: hints)
        }
        if let n = f["kind"], let v = string(n, "kind"), v != LayoutDecoder.kind {
            let hints = Suggestions.hint(for: v, in: [LayoutDecoder.kind]).map { [$0] } ?? []
            error("kind", "expected '\(LayoutDecoder.kind)', found '\(v)'", at: n.mark, hints: hints)
        }
        let metadata = f["metadata"].flatMap { self.metadata($0) } ?? LayoutMetadata(name: "")
        var layout = HostLayout(file: file, metadata: metadata)
        layout.marks = LayoutReader.frameMarks(root)
        if let spec = f["spec"] { self.spec(spec, into: &layout) }
        return layout
    }

    private func metadata(_ node: YAMLNode) -> LayoutMetadata? {
        guard let f = fields(node, "metadata", allowed: ["name", "hostname", "labels"], required: ["name"]) else {
            return nil
        }
        var meta = LayoutMetadata(name: "", marks: LayoutReader.marks(of: node))
        if let n = f["name"] { meta.name = dnsLabel(n, "metadata.name", what: "layout name") ?? "" }
        if let n = f["hostname"], let host = string(n, "metadata.hostname", what: "a host name") {
            do {
                let pattern = try HostnamePattern(host)
                if pattern.isLiteral && !LayoutReader.isHostname(host) {
                    error("metadata.hostname", "'\(host)' is not a valid host name", at: n.mark,
                          hints: ["a host name is dot-separated labels of letters, digits and '-', at most 253 characters"])
                } else {
                    meta.hostname = host
                }
            } catch where !host.contains(where: { "*?[".contains($0) }) {
                // No wildcard: a name, judged as one (not as a pattern).
                self.error("metadata.hostname", "'\(host)' is not a valid host name", at: n.mark,
                      hints: ["a host name is dot-separated labels of letters, digits and '-', at most 253 characters"])
            } catch {
                self.error("metadata.hostname", "'\(host)' is not a host name or pattern: \(error)", at: n.mark,
                      hints: ["write a host name (cn042) or a glob: * any characters, ? one, [0-9] one of a set"])
            }
        }
        if let n = f["labels"] { meta.labels = labels(n, "metadata.labels") }
        return meta
    }

    private func labels(_ node: YAMLNode, _ path: String) -> [String: String] {
        if node.isNull { return [:] }
        guard let pairs = node.mapping else {
            error(path, "expected a mapping of strings, found \(describe(node))", at: node.mark)
            return [:]
        }
        var out: [String: String] = [:]
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            if let value = string(pair.value, "\(path).\(key)", what: "a string") { out[key] = value }
        }
        return out
    }

    static func isHostname(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// Marks of the document frame, keyed `apiVersion`, `spec.services` ...
    static func frameMarks(_ root: YAMLNode) -> SourceMarks {
        var marks: [String: SourceMark] = ["": root.mark]
        for pair in root.mapping ?? [] {
            guard let key = pair.key.scalar else { continue }
            marks[key] = pair.key.mark
            guard key == "spec" else { continue }
            for inner in pair.value.mapping ?? [] {
                if let k = inner.key.scalar { marks["spec." + k] = inner.key.mark }
            }
        }
        return SourceMarks(marks)
    }

    private func spec(_ node: YAMLNode, into layout: inout HostLayout) {
        guard let f = fields(node, "spec", allowed: ["policy", "host", "hugepages", "enclaves", "services", "isolation", "power", "slurm"]) else {
            return
        }
        slurmJobs = f["slurm"].flatMap { $0.mapping?.first { $0.key.scalar == "jobs" }?.value.scalar }
        if let n = f["policy"] { layout.policy = policy(n) }
        if let n = f["host"] { layout.host = host(n) }
        if let n = f["hugepages"], let items = items(n, "spec.hugepages") {
            layout.hugepages = items.enumerated().map { hugepage($1, "spec.hugepages[\($0)]") }
        }
        if let n = f["enclaves"], let items = items(n, "spec.enclaves") {
            layout.enclaves = items.enumerated().map { enclave($1, "spec.enclaves[\($0)]") }
        }
        if let n = f["services"], let items = items(n, "spec.services") {
            layout.services = items.enumerated().map { service($1, "spec.services[\($0)]") }
        }
        if let n = f["isolation"] { layout.isolation = isolation(n) }
        if let n = f["power"] { layout.power = hostPower(n) }
        if let n = f["slurm"] { layout.slurm = slurm(n, services: layout.services) }
    }

    private func policy(_ node: YAMLNode) -> LayoutPolicy {
        var policy = LayoutPolicy(marks: LayoutReader.marks(of: node))
        guard let f = fields(node, "spec.policy", allowed: ["topology", "smt", "disruption"]) else { return policy }
        if let n = f["topology"], let v = choice(n, "spec.policy.topology", LayoutPolicy.Topology.self) {
            policy.topology = v
        }
        if let n = f["smt"], let v = choice(n, "spec.policy.smt", LayoutPolicy.SMT.self) { policy.smt = v }
        if let n = f["disruption"], let v = choice(n, "spec.policy.disruption", LayoutPolicy.Disruption.self) {
            policy.disruption = v
        }
        return policy
    }
}
