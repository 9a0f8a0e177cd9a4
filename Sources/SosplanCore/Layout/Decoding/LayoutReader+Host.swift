/// `spec.host` and `spec.hugepages`.
extension LayoutReader {
    func host(_ node: YAMLNode) -> HostReservation {
        var host = HostReservation(marks: LayoutReader.marks(of: node))
        guard let f = fields(node, "spec.host", allowed: ["cpus", "memory", "confine"]) else { return host }
        if let n = f["cpus"], let cpus = cpuAmount(n, "spec.host.cpus", for: .host) { host.cpus = cpus }
        if let n = f["memory"], let size = size(n, "spec.host.memory") { host.memory = size }
        if let n = f["confine"], let confine = bool(n, "spec.host.confine") { host.confine = confine }
        return host
    }

    func hugepage(_ node: YAMLNode, _ path: String) -> HugepageRequest {
        var request = HugepageRequest(size: .zero, count: 0, marks: LayoutReader.marks(of: node))
        guard let f = fields(node, path, allowed: ["size", "count", "numa"], required: ["size", "count"],
                             what: "a mapping {size, count, numa}")
        else { return request }
        if let n = f["size"], let size = size(n, f.path("size")) {
            if let problem = HugepageSizes.problem(size) {
                error(f.path("size"), problem.message, at: n.mark, hints: problem.hints)
            } else {
                request.size = size
            }
        }
        if let n = f["count"], let count = int(n, f.path("count"), in: 0...Int.max, what: "a page count") {
            if request.size.bytes > 0, count > Int(LayoutReader.maximumSize.bytes / request.size.bytes) {
                error(f.path("count"), "\(count) pages of \(request.size) is more memory than any host has (at most 1Pi)",
                      at: n.mark)
            } else {
                request.count = count
            }
        }
        if let n = f["numa"] {
            request.numa = int(n, f.path("numa"), in: 0...LayoutReader.maximumNodeID, what: "a NUMA node id")
        }
        return request
    }
}

/// Hugepage sizes that some Linux architecture supports. Whether this host
/// has a size is checked when planning; this catches what no machine has.
public enum HugepageSizes {
    /// Each size with the architectures that offer it.
    public static let known: [(size: ByteSize, where: String)] = [
        (.kib(64), "arm64, ppc64, riscv64"),
        (.mib(1), "s390x"),
        (.mib(2), "x86-64, arm64, ppc64 radix, riscv64"),
        (.mib(16), "ppc64 hash"),
        (.mib(32), "arm64, loongarch64"),
        (.mib(512), "arm64 with 64Ki pages"),
        (.gib(1), "x86-64, arm64, ppc64 radix, riscv64"),
        (.gib(2), "s390x"),
        (.gib(16), "arm64, ppc64 hash"),
    ]

    public static func problem(_ size: ByteSize) -> (message: String, hints: [String])? {
        if known.contains(where: { $0.size == size }) { return nil }
        let list = "hugepage sizes are 2Mi or 1Gi on x86-64; " + known.map { "\($0.size)" }.joined(separator: ", ")
            + " across architectures"
        let b = size.bytes
        if b != 0, b & (b - 1) != 0 {
            let decimal = [(UInt64(2_000_000), "2M", "2Mi"), (1_000_000_000, "1G", "1Gi"), (1_000_000, "1M", "1Mi")]
            if let d = decimal.first(where: { $0.0 == b }) {
                return ("\(d.1) is \(b) bytes (a decimal unit), not a hugepage size",
                        ["hugepage sizes are binary: write \(d.2)"])
            }
            return ("\(size.humanReadable) (\(b) bytes) is not a power of two, so it cannot be a hugepage size", [list])
        }
        return ("no Linux architecture has \(size) hugepages", [list])
    }
}
