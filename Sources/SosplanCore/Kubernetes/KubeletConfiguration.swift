/// What sosplan reads of the kubelet's configuration file (a
/// `KubeletConfiguration` of `kubelet.config.k8s.io/v1beta1`): the CPU,
/// memory and Topology Manager settings that decide what the kubelet hands
/// to pods and what a topology-aware scheduler must be told. Fields the
/// file leaves out take the kubelet's defaults (kubernetes/kubernetes
/// `pkg/kubelet/apis/config/v1beta1/defaults.go`,
/// `SetDefaults_KubeletConfiguration`: `cpuManagerPolicy: none`,
/// `memoryManagerPolicy: None`, `topologyManagerPolicy: none`,
/// `topologyManagerScope: container`). Command-line flags that override the
/// file are not visible here.
public struct KubeletConfiguration: Codable, Sendable, Hashable {
    /// `cpuManagerPolicy`: `none` or `static`.
    public var cpuManagerPolicy: String
    public var topologyManagerPolicy: TopologyManagerPolicy
    public var topologyManagerScope: TopologyManagerScope
    /// `memoryManagerPolicy`: `None` or `Static`.
    public var memoryManagerPolicy: String
    /// `reservedSystemCPUs`: CPUs the CPU manager never gives a container
    /// (nil: not set; the kubelet then reserves by count from
    /// `kubeReserved`/`systemReserved`, CPUs sosplan cannot name).
    public var reservedSystemCPUs: CPUSet?
    /// `cpuManagerPolicyOptions: {strict-cpu-reservation: "true"}`: no pod
    /// runs on the reserved CPUs, and they are not in the CPU manager's
    /// default set.
    public var strictCPUReservation: Bool

    public init(
        cpuManagerPolicy: String = "none", topologyManagerPolicy: TopologyManagerPolicy = .none,
        topologyManagerScope: TopologyManagerScope = .container, memoryManagerPolicy: String = "None",
        reservedSystemCPUs: CPUSet? = nil, strictCPUReservation: Bool = false
    ) {
        self.cpuManagerPolicy = cpuManagerPolicy
        self.topologyManagerPolicy = topologyManagerPolicy
        self.topologyManagerScope = topologyManagerScope
        self.memoryManagerPolicy = memoryManagerPolicy
        self.reservedSystemCPUs = reservedSystemCPUs
        self.strictCPUReservation = strictCPUReservation
    }

    /// The kubelet's `TopologyManagerPolicy` values, spelled as in its
    /// configuration (and as the scheduler plugin reads them).
    public enum TopologyManagerPolicy: String, Codable, Sendable, Hashable, CaseIterable {
        case none
        case bestEffort = "best-effort"
        case restricted
        case singleNUMANode = "single-numa-node"
    }

    public enum TopologyManagerScope: String, Codable, Sendable, Hashable, CaseIterable {
        case container, pod
    }

    /// True when the CPU manager pins containers and keeps a state file of
    /// its CPUs (`static`).
    public var hasStaticCPUManager: Bool { cpuManagerPolicy == "static" }

    /// The largest file read: a kubelet configuration is a few KiB.
    public static let maximumBytes = 1 << 20

    /// Reads the configuration file's text; problems point at the value
    /// (`FILE:LINE:COLUMN`). Unknown fields are the kubelet's business and
    /// are ignored; a value the kubelet itself would refuse is an error.
    public static func parse(_ text: String, file: String) -> (KubeletConfiguration?, [Diagnostic]) {
        guard text.utf8.count <= maximumBytes else {
            return (nil, [.error("a kubelet configuration over \(maximumBytes) bytes", file: file, at: nil)])
        }
        let parsed = YAMLParser.parse(text, file: file)
        guard let root = parsed.root, !parsed.diagnostics.hasErrors else { return (nil, parsed.diagnostics) }
        guard let pairs = root.mapping else {
            return (nil, [.error("expected a KubeletConfiguration mapping, found \(root.kindName)", file: file, at: root.mark)])
        }
        var reader = Reader(file: file)
        var config = KubeletConfiguration()
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            let value = pair.value
            switch key {
            case "kind":
                if let kind = reader.string(value, key), kind != "KubeletConfiguration" {
                    reader.fail("expected kind KubeletConfiguration, found '\(ControlCharacters.shown(kind))'", value)
                }
            case "apiVersion":
                if let version = reader.string(value, key), !version.hasPrefix("kubelet.config.k8s.io/") {
                    reader.fail("expected apiVersion kubelet.config.k8s.io/v1beta1, found '\(ControlCharacters.shown(version))'", value)
                }
            case "cpuManagerPolicy":
                if let v = reader.choice(value, key, ["none", "static"]) { config.cpuManagerPolicy = v }
            case "memoryManagerPolicy":
                if let v = reader.choice(value, key, ["None", "Static"]) { config.memoryManagerPolicy = v }
            case "topologyManagerPolicy":
                if let v = reader.choice(value, key, TopologyManagerPolicy.allCases.map(\.rawValue)) {
                    config.topologyManagerPolicy = TopologyManagerPolicy(rawValue: v) ?? .none
                }
            case "topologyManagerScope":
                if let v = reader.choice(value, key, TopologyManagerScope.allCases.map(\.rawValue)) {
                    config.topologyManagerScope = TopologyManagerScope(rawValue: v) ?? .container
                }
            case "reservedSystemCPUs":
                if let v = reader.string(value, key) {
                    do { config.reservedSystemCPUs = try CPUSet(lenientList: v) } catch {
                        reader.fail("reservedSystemCPUs '\(ControlCharacters.shown(v))' is not a CPU list: \(ControlCharacters.escaped(error.message))", value)
                    }
                }
            case "cpuManagerPolicyOptions":
                guard let options = value.mapping else {
                    if !value.isNull { reader.fail("cpuManagerPolicyOptions must be a mapping of option to \"true\"/\"false\"", value) }
                    continue
                }
                for option in options where option.key.scalar == "strict-cpu-reservation" {
                    if let v = reader.choice(option.value, "strict-cpu-reservation", ["true", "false"]) {
                        config.strictCPUReservation = v == "true"
                    }
                }
            default:
                continue
            }
        }
        return reader.diagnostics.hasErrors ? (nil, reader.diagnostics) : (config, reader.diagnostics)
    }

    private struct Reader {
        let file: String
        var diagnostics: [Diagnostic] = []

        mutating func fail(_ message: String, _ node: YAMLNode) {
            diagnostics.append(.error(message, file: file, at: node.mark))
        }

        mutating func string(_ node: YAMLNode, _ key: String) -> String? {
            guard let s = node.scalar, !node.isNull else {
                fail("\(key) must be a string, found \(node.kindName)", node)
                return nil
            }
            return s
        }

        mutating func choice(_ node: YAMLNode, _ key: String, _ allowed: [String]) -> String? {
            guard let s = string(node, key) else { return nil }
            guard allowed.contains(s) else {
                diagnostics.append(.error(
                    "\(key) '\(ControlCharacters.shown(s))' is not one the kubelet knows", file: file, at: node.mark,
                    hints: ["expected one of: \(allowed.joined(separator: ", "))"]))
                return nil
            }
            return s
        }
    }
}
