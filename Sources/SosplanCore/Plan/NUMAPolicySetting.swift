/// systemd's `NUMAPolicy=` and `NUMAMask=` of a unit: the memory policy
/// the service's processes get when systemd starts them (set_mempolicy(2)
/// before exec, so changing it needs a restart). What `memory.policy`
/// becomes for a Linux service sosplan starts, and what systemd reports.
public struct NUMAPolicySetting: Codable, Sendable, Hashable, CustomStringConvertible {
    /// systemd's names (`mpol_to_string`), in the kernel's MPOL_* order.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case `default`, preferred, bind, interleave, local

        /// Whether `NUMAMask=` means anything with it (systemd refuses a
        /// mask with `default` and `local`).
        public var takesNodes: Bool { self == .preferred || self == .bind || self == .interleave }
    }

    public var kind: Kind
    /// NUMAMask=; empty for `default` and `local`.
    public var nodes: CPUSet

    public init(kind: Kind, nodes: CPUSet) {
        self.kind = kind
        self.nodes = nodes
    }

    public init(_ policy: MemoryPolicy, nodes: CPUSet) {
        switch policy {
        case .bind: kind = .bind
        case .preferred: kind = .preferred
        case .interleave: kind = .interleave
        }
        self.nodes = nodes
    }

    /// From what systemd reports over D-Bus: `NUMAPolicy` is MPOL_DEFAULT
    /// (0) to MPOL_LOCAL (4), -1 when the unit sets none
    /// (src/shared/numa-util.h, numa_policy_get_type).
    public init?(mpol: Int32, nodes: CPUSet) {
        guard mpol >= 0, Int(mpol) < Kind.allCases.count else { return nil }
        self.init(kind: Kind.allCases[Int(mpol)], nodes: nodes)
    }

    public var description: String { nodes.isEmpty ? kind.rawValue : "\(kind.rawValue) on \(nodes)" }

    /// The plan's words for it: `NUMAPolicy` and `NUMAMask` of an exec unit.
    public static let policyKey = "NUMAPolicy", maskKey = "NUMAMask"

    public var planProperties: PropertyMap {
        [Self.policyKey: .string(kind.rawValue), Self.maskKey: .string(nodes.description)]
    }

    /// Read back from a plan's property map; nil when it sets none (or `null`).
    public init?(planProperties p: PropertyMap) {
        guard let name = p[Self.policyKey]?.stringValue, let kind = Kind(rawValue: name) else { return nil }
        let nodes = p[Self.maskKey]?.stringValue.flatMap { try? CPUSet(lenientList: $0) } ?? CPUSet()
        self.init(kind: kind, nodes: nodes)
    }
}
