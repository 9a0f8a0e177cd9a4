/// The fingerprint of a set of pods that a NodeResourceTopology carries in
/// its `nodeTopologyPodsFingerprint` attribute, computed as the scheduler
/// plugin recomputes it to decide whether the object is up to date
/// (k8stopologyawareschedwg/podfingerprint `podfingerprint.go`: `addHash`
/// hashes each pod as XXH64(name, seed: XXH64(namespace)); `Sum` sorts those
/// hashes, feeds them little-endian to one XXH64 and takes the digest
/// big-endian; `Sign` is `pfp0` + `v001` + its 16 hex digits). The order the
/// pods come in does not matter.
public struct PodFingerprint: Sendable {
    public static let attribute = "nodeTopologyPodsFingerprint"
    public static let methodAttribute = "nodeTopologyPodsFingerprintMethod"
    /// Only pods holding something on a NUMA node count (the reference
    /// exporter's default method, and what the scheduler then compares).
    public static let methodWithExclusiveResources = "with-exclusive-resources"
    public static let methodAll = "all"
    static let prefix = "pfp0"
    static let version = "v001"

    private var hashes: [UInt64] = []

    public init() {}

    public init<S: Sequence>(pods: S) where S.Element == (namespace: String, name: String) {
        for pod in pods { add(namespace: pod.namespace, name: pod.name) }
    }

    public mutating func add(namespace: String, name: String) {
        hashes.append(XXHash64.hash(Array(name.utf8), seed: XXHash64.hash(Array(namespace.utf8))))
    }

    /// `pfp0v001` and the sum in lower-case hex.
    public var sign: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hashes.count * 8)
        for h in hashes.sorted() { for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: h >> (8 * UInt64(k)))) } }
        let sum = XXHash64.hash(bytes)
        let hex = String(sum, radix: 16)
        return Self.prefix + Self.version + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
