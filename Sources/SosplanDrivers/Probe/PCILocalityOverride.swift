import FoundationEssentials
import Glibc
import SosplanCore

/// PCI localities an operator forces because the firmware reports none or
/// wrong ones: hwloc's `HWLOC_PCI_LOCALITY`, read the same way so that
/// sosplan and every hwloc tool on the host (lstopo, Open MPI, Slurm) see
/// the same machine. The value is the text or the path of a file holding
/// it: entries separated by `;` or line breaks, each `DOMAIN:BUS-BUS CPUSET`,
/// `DOMAIN:BUS CPUSET` or `DOMAIN CPUSET`, where CPUSET is a hwloc bitmap
/// (comma-separated 32-bit hex words, most significant first, `0x`
/// optional). Anything else, such as `# comments`, is skipped (hwloc 2.9.0,
/// hwloc/pci-common.c:31-112 and 132-166, hwloc_pci_forced_locality_parse
/// and hwloc_pci_discovery_prepare).
public struct PCILocalityOverride: Sendable, Hashable {
    public struct Entry: Sendable, Hashable {
        public var domain: UInt32
        public var buses: ClosedRange<Int>
        public var cpus: CPUSet
    }

    public var entries: [Entry]
    /// Where it came from, for the snapshot's warnings.
    public var source: String

    /// hwloc's environment variable.
    public static let variable = "HWLOC_PCI_LOCALITY"

    /// From this process's environment, or nil when the variable is not set
    /// (one `getenv`: every probe asks, most hosts never set it).
    public static func fromEnvironment() -> PCILocalityOverride? {
        guard let value = getenv(variable) else { return nil }
        return fromEnvironment([variable: String(cString: value)])
    }

    /// From an environment, or nil when the variable is not set.
    public static func fromEnvironment(_ environment: [String: String]) -> PCILocalityOverride? {
        guard let value = environment[variable] else { return nil }
        // Like hwloc: a path that opens is a file of entries (at most 64 KiB), else the value itself.
        if let data = FileManager.default.contents(atPath: value), data.count <= 64 * 1024, !value.isEmpty {
            return PCILocalityOverride(String(decoding: data, as: UTF8.self), source: "\(variable) (file \(value))")
        }
        return PCILocalityOverride(value, source: variable)
    }

    public init(_ text: String, source: String = variable) {
        self.source = source
        entries = text.split(whereSeparator: { $0 == ";" || $0 == "\n" || $0 == "\r" }).compactMap(Self.entry)
    }

    /// The first entry covering a bus, as hwloc takes the first match.
    public func cpus(domain: UInt32, bus: UInt8) -> CPUSet? {
        entries.first { $0.domain == domain && $0.buses.contains(Int(bus)) }?.cpus
    }

    static func entry(_ line: Substring) -> Entry? {
        let words = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard words.count == 2, let cpus = bitmap(words[1]) else { return nil }
        let location = words[0].split(separator: ":", omittingEmptySubsequences: false)
        guard let domain = hex(location[0]) else { return nil }
        switch location.count {
        case 1:
            return Entry(domain: domain, buses: 0...255, cpus: cpus)
        case 2:
            let range = location[1].split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(range.count), let first = hex(range[0]), let last = hex(range.last!), first <= last, last <= 255 else {
                return nil
            }
            return Entry(domain: domain, buses: Int(first)...Int(last), cpus: cpus)
        default:
            return nil
        }
    }

    static func hex(_ s: Substring) -> UInt32? {
        let digits = s.hasPrefix("0x") || s.hasPrefix("0X") ? s.dropFirst(2) : s
        guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy(\.isHexDigit) else { return nil }
        return UInt32(digits, radix: 16)
    }

    /// A hwloc bitmap: 32-bit words, most significant first.
    static func bitmap(_ s: Substring) -> CPUSet? {
        let text = s.trimmingWhitespace()
        var words: [UInt32] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let w = hex(part) else { return nil }
            words.append(w)
        }
        var set = CPUSet()
        for (i, word) in words.reversed().enumerated() where word != 0 {
            for bit in 0..<32 where word & (1 << UInt32(bit)) != 0 {
                let id = i * 32 + bit
                guard id <= CPUSet.maximumID else { return nil }
                set.insert(id)
            }
        }
        return set
    }
}
