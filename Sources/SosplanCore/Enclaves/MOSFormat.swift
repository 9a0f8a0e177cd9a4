/// The text formats of mOS (research/cokernels-upstream.md §4; mos:lwkctl.c,
/// lwkctl.h): the `lwkctl -c` partition spec, `/sys/kernel/mOS/*` files and
/// the `lwkctl -s` report.
public enum MOSFormat {
    /// The 128 MiB sections LWK memory is rounded to.
    public static let sectionSize: UInt64 = 128 << 20

    /// A partition spec: `lwkcpus=<u>.<set>:<u>.<set> lwkmem=0:16G,1:16G
    /// [lwkcpu_profile=…] [precise=yes|no]`.
    public struct PartitionSpec: Equatable, Sendable {
        /// LWK CPU sets with their utility (syscall target) CPUs.
        public var groups: [(utility: CPUSet, lwk: CPUSet)]
        /// Memory per node, as written (before rounding).
        public var memory: [MemoryChunk]
        /// Other `key=value` words kept as written (`lwkcpu_profile=normal`).
        public var other: [(String, String)]

        public init(groups: [(utility: CPUSet, lwk: CPUSet)], memory: [MemoryChunk], other: [(String, String)] = []) {
            self.groups = groups
            self.memory = memory
            self.other = other
        }

        public var lwkCPUs: CPUSet { groups.reduce(CPUSet()) { $0.union($1.lwk) } }
        public var utilityCPUs: CPUSet { groups.reduce(CPUSet()) { $0.union($1.utility) } }

        public static func == (a: PartitionSpec, b: PartitionSpec) -> Bool {
            a.groups.count == b.groups.count
                && zip(a.groups, b.groups).allSatisfy { $0.utility == $1.utility && $0.lwk == $1.lwk }
                && a.memory == b.memory && a.other.map { "\($0)=\($1)" } == b.other.map { "\($0)=\($1)" }
        }

        /// The spec text `lwkctl -c` takes (sizes with the largest exact
        /// `G`/`M` suffix).
        public var text: String {
            var words = ["lwkcpus=" + groups.map { "\($0.utility).\($0.lwk)" }.joined(separator: ":")]
            if !memory.isEmpty { words.append("lwkmem=" + memory.map { "\($0.node):\(PartitionSpec.sizeText($0.bytes))" }.joined(separator: ",")) }
            words += other.map { "\($0)=\($1)" }
            return words.joined(separator: " ")
        }

        /// Parses a spec; `lwkcpus=` is required, `auto` values are refused
        /// (sosplan always places CPUs and memory itself).
        public static func parse(_ text: String) throws(EnclaveFormatError) -> PartitionSpec {
            var groups: [(utility: CPUSet, lwk: CPUSet)] = []
            var memory: [MemoryChunk] = []
            var other: [(String, String)] = []
            var sawCPUs = false
            for word in text.split(separator: " ", omittingEmptySubsequences: true) {
                guard let eq = word.firstIndex(of: "=") else { throw EnclaveFormatError(what: "mOS spec", text: text) }
                let key = String(word[..<eq]), value = String(word[word.index(after: eq)...])
                switch key {
                case "lwkcpus":
                    sawCPUs = true
                    if value.isEmpty { continue }
                    for group in value.split(separator: ":", omittingEmptySubsequences: false) {
                        let parts = group.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
                        do {
                            let utility = parts.count == 2 ? try CPUSet(lenientList: String(parts[0])) : CPUSet()
                            let lwk = try CPUSet(lenientList: String(parts.count == 2 ? parts[1] : parts[0]))
                            groups.append((utility, lwk))
                        } catch {
                            throw EnclaveFormatError(what: "mOS lwkcpus spec", text: value)
                        }
                    }
                case "lwkmem":
                    if value.isEmpty { continue }
                    for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                        let parts = item.split(separator: ":", omittingEmptySubsequences: false)
                        guard parts.count == 2, let node = Int(parts[0]), node >= 0,
                            let bytes = IHKFormat.memparse(parts[1])
                        else { throw EnclaveFormatError(what: "mOS lwkmem spec", text: value) }
                        memory.append(MemoryChunk(node: node, bytes: bytes))
                    }
                default:
                    other.append((key, value))
                }
            }
            guard sawCPUs else { throw EnclaveFormatError(what: "mOS spec (no lwkcpus=)", text: text) }
            return PartitionSpec(groups: groups, memory: memory, other: other)
        }

        static func sizeText(_ bytes: UInt64) -> String {
            if bytes % (1 << 30) == 0 { return "\(bytes >> 30)G" }
            if bytes % (1 << 20) == 0 { return "\(bytes >> 20)M" }
            return "\(bytes)"
        }
    }

    /// `/sys/kernel/mOS/lwkmem`: bytes per NUMA node (position = node),
    /// space-separated. Nodes with no LWK memory are dropped.
    public static func parseLWKMem(_ text: String) throws(EnclaveFormatError) -> [MemoryChunk] {
        var chunks: [MemoryChunk] = []
        for (node, word) in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).enumerated() {
            guard let bytes = UInt64(word) else { throw EnclaveFormatError(what: "mOS lwkmem", text: text) }
            if bytes > 0 { chunks.append(MemoryChunk(node: node, bytes: bytes)) }
        }
        return chunks
    }

    public static func formatLWKMem(_ perNode: [UInt64]) -> String {
        perNode.map(String.init).joined(separator: " ") + "\n"
    }

    /// What `lwkctl -s` reports.
    public struct Show: Equatable, Sendable {
        public var version: String
        public var linuxCPUs: CPUSet
        public var lwkCPUs: CPUSet
        public var utilityCPUs: CPUSet
        /// KiB per node, position = node (zeros kept).
        public var lwkMemoryKB: [UInt64]

        public init(version: String, linuxCPUs: CPUSet, lwkCPUs: CPUSet, utilityCPUs: CPUSet, lwkMemoryKB: [UInt64]) {
            self.version = version
            self.linuxCPUs = linuxCPUs
            self.lwkCPUs = lwkCPUs
            self.utilityCPUs = utilityCPUs
            self.lwkMemoryKB = lwkMemoryKB
        }

        /// The newer lwkctl layout (mos lwkctl.c @e6e876b `lwkctl_show`).
        public var text: String {
            func cpus(_ s: CPUSet) -> String { (s.isEmpty ? "" : "\(s) ") + "[ \(s.count) CPU(s) ]" }
            let nodes = lwkMemoryKB.filter { $0 > 0 }.count
            return "mOS version     : \(version)\n"
                + "Linux     CPU(s): \(cpus(linuxCPUs))\n"
                + "LWK       CPU(s): \(cpus(lwkCPUs))\n"
                + "Utility   CPU(s): \(cpus(utilityCPUs))\n"
                + "LWK/Linux GPU(s): [ 0 GPU(s) ]\n"
                + "LWK   Memory(KB):" + lwkMemoryKB.map { " \($0)" }.joined() + " [ \(nodes) NUMA nodes ]\n"
        }

        /// Parses every known layout: the newer one, the one quoted in the
        /// research (`LWK     CPU(s): 2-7 [ 6 CPU(s) ]`) and the older one
        /// (`Syscall CPU(s)`, no counts).
        public static func parse(_ text: String) throws(EnclaveFormatError) -> Show {
            var show = Show(version: "", linuxCPUs: CPUSet(), lwkCPUs: CPUSet(), utilityCPUs: CPUSet(), lwkMemoryKB: [])
            var seen = Set<String>()
            for line in text.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].split(separator: " ").joined(separator: " ")
                var value = String(line[line.index(after: colon)...])
                if let bracket = value.firstIndex(of: "[") { value = String(value[..<bracket]) }
                value = value.trimmingASCIIWhitespace()
                func list() throws(EnclaveFormatError) -> CPUSet {
                    do { return try CPUSet(lenientList: value) } catch {
                        throw EnclaveFormatError(what: "lwkctl -s line", text: String(line))
                    }
                }
                switch key {
                case "mOS version": show.version = value
                case "Linux CPU(s)": show.linuxCPUs = try list()
                case "LWK CPU(s)": show.lwkCPUs = try list()
                case "Utility CPU(s)", "Syscall CPU(s)": show.utilityCPUs = try list()
                case "LWK Memory(KB)":
                    var kb: [UInt64] = []
                    for w in value.split(separator: " ") {
                        guard let v = UInt64(w) else { throw EnclaveFormatError(what: "lwkctl -s memory", text: String(line)) }
                        kb.append(v)
                    }
                    show.lwkMemoryKB = kb
                default: continue
                }
                seen.insert(key)
            }
            guard seen.contains("mOS version"), seen.contains("LWK CPU(s)") else {
                throw EnclaveFormatError(what: "lwkctl -s output", text: text)
            }
            return show
        }
    }
}
