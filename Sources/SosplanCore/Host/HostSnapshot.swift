/// Everything the planner knows about a host: topology and free resources,
/// systemd's slices and units, and the enclaves. Serialized as the
/// `sosplan.snapshot/v1` JSON of `design/cli.md`, fields in this order.
public struct HostSnapshot: Codable, Sendable, Hashable {
    public static let schemaID = "sosplan.snapshot/v1"

    public var schema: String { didSet { encoding = EncodingMemo() } }
    public var hostname: String? { didSet { encoding = EncodingMemo() } }
    public var topology: Topology { didSet { encoding = EncodingMemo() } }
    /// Filled by the systemd driver; nil when systemd was not observed.
    public var systemd: SystemdState? { didSet { encoding = EncodingMemo() } }
    /// Enclave instances found by the enclave drivers.
    public var enclaves: [EnclaveInstance] { didSet { encoding = EncodingMemo() } }
    /// CPUs and memory a co-kernel holds but has not given to an instance
    /// (IHK's reserved pool), per driver.
    public var enclavePools: [EnclavePool] { didSet { encoding = EncodingMemo() } }
    /// The kubelet's configuration and CPU manager state; nil (and left out
    /// of the JSON) on a host without a kubelet.
    public var kubelet: KubeletObservation? { didSet { encoding = EncodingMemo() } }
    /// The Slurm node's drop-in (`spec.slurm`); nil (and left out of the
    /// JSON) on a host that is no Slurm node.
    public var slurm: SlurmObservation? { didSet { encoding = EncodingMemo() } }
    /// Interrupts, workqueues, idle and frequency per CPU, the command line
    /// (nil when not observed; see `KernelState`).
    public var kernel: KernelState? { didSet { encoding = EncodingMemo() } }
    /// What the probes could not see and how they degraded.
    public var warnings: [String] { didSet { encoding = EncodingMemo() } }
    public var fingerprint: String { didSet { encoding = EncodingMemo() } }
    /// The JSON tree the fingerprint was taken from, kept for `jsonValue()`
    /// so an observed snapshot is encoded once; dropped when any property
    /// changes. Not part of the value: equal, hashed and coded as nothing.
    var encoding = EncodingMemo()

    enum CodingKeys: String, CodingKey {
        case schema, hostname, topology, systemd, enclaves, enclavePools, kubelet, slurm, kernel, warnings, fingerprint
    }

    public init(
        hostname: String? = nil, topology: Topology, systemd: SystemdState? = nil,
        enclaves: [EnclaveInstance] = [], enclavePools: [EnclavePool] = [], kubelet: KubeletObservation? = nil,
        kernel: KernelState? = nil, slurm: SlurmObservation? = nil, warnings: [String] = []
    ) {
        self.schema = HostSnapshot.schemaID
        self.hostname = hostname
        self.topology = topology
        self.systemd = systemd
        self.enclaves = enclaves
        self.enclavePools = enclavePools
        self.kubelet = kubelet
        self.kernel = kernel
        self.slurm = slurm
        self.warnings = warnings
        self.fingerprint = ""
        takeFingerprint()
    }

    /// `sha256:` over everything the planner reads (not the warnings, the
    /// hostname or the fingerprint itself).
    public func computeFingerprint() -> String {
        var copy = self
        copy.fingerprint = ""
        copy.warnings = []
        copy.hostname = nil
        copy.kernel = kernel?.planned
        let json = (try? JSONValueEncoder().encode(copy)).map(JSONWriter.compact) ?? ""
        return "sha256:" + SHA256.hex(json.utf8)
    }

    /// Recomputes the fingerprint after a change (e.g. simulated execution).
    public mutating func refreshFingerprint() { takeFingerprint() }

    public func jsonValue() -> JSONValue {
        if let tree = encoding.tree { return tree }
        return (try? JSONValueEncoder().encode(self)) ?? .null
    }

    public func jsonText() -> String { JSONWriter.pretty(jsonValue()) }

    /// Reads a saved snapshot; the error names the JSON path at fault.
    public static func decode(json text: String) throws -> HostSnapshot {
        let value = try JSONParser.parse(text)
        guard value["schema"]?.stringValue == schemaID else {
            throw SnapshotError.wrongSchema(value["schema"]?.stringValue)
        }
        let snapshot = try JSONValueDecoder().decode(HostSnapshot.self, from: value)
        let problems = snapshot.inconsistencies()
        guard problems.isEmpty else { throw SnapshotError.inconsistent(problems) }
        return snapshot
    }
}

public enum SnapshotError: Error, CustomStringConvertible {
    case wrongSchema(String?)
    /// What the snapshot says that no host can be (`inconsistencies()`).
    case inconsistent([String])

    public var description: String {
        switch self {
        case .wrongSchema(let s):
            return "not a sosplan snapshot: schema is \(s.map { "'\($0)'" } ?? "missing"), expected '\(HostSnapshot.schemaID)'"
        case .inconsistent(let problems):
            let shown = problems.prefix(10).joined(separator: "\n  ")
            let more = problems.count > 10 ? "\n  ... and \(problems.count - 10) more" : ""
            return "the snapshot contradicts itself (no host can be like this):\n  \(shown)\(more)"
        }
    }
}
