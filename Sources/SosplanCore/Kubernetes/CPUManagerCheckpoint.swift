/// The kubelet CPU manager's state file (`<root-dir>/cpu_manager_state`,
/// kubernetes/kubernetes `pkg/kubelet/cm/cpumanager/state/checkpoint.go`,
/// `CPUManagerCheckpointV2`): `{"policyName", "defaultCpuSet", "entries":
/// {podUID: {container: cpus}}, "checksum"}`. With the `static` policy the
/// kubelet checks it when it starts (`validateState` in
/// `pkg/kubelet/cm/cpumanager/policy_static.go`): the default set plus every
/// assignment must be exactly the CPUs it may use now (the online CPUs,
/// less the reserved ones under `strict-cpu-reservation`), and it refuses
/// to start otherwise, until the file is removed.
public struct CPUManagerCheckpoint: Sendable, Hashable {
    public var policyName: String
    public var defaultCPUs: CPUSet
    /// CPUs given to containers exclusively, all pods together.
    public var assignedCPUs: CPUSet

    public init(policyName: String, defaultCPUs: CPUSet, assignedCPUs: CPUSet = CPUSet()) {
        self.policyName = policyName
        self.defaultCPUs = defaultCPUs
        self.assignedCPUs = assignedCPUs
    }

    /// The CPUs the state accounts for: what `validateState` compares with
    /// the CPUs the kubelet may use.
    public var knownCPUs: CPUSet { defaultCPUs.union(assignedCPUs) }

    /// The largest state file read (one entry per pinned container).
    public static let maximumBytes = 4 << 20

    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Reads the file's text (untrusted: a bad value is an error naming it).
    public static func parse(_ text: String) throws(ReadError) -> CPUManagerCheckpoint {
        guard text.utf8.count <= maximumBytes else { throw ReadError(description: "larger than \(maximumBytes) bytes") }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw ReadError(description: "not JSON: \(error)") }
        guard json.objectValue != nil else { throw ReadError(description: "not a JSON object") }
        guard let policy = json["policyName"]?.stringValue else { throw ReadError(description: "no policyName") }
        func cpus(_ value: JSONValue?, _ what: String) throws(ReadError) -> CPUSet {
            guard let text = value?.stringValue else { throw ReadError(description: "\(what) is not a CPU list string") }
            // The file's own text is not repeated: it is untrusted.
            do { return try CPUSet(lenientList: text) } catch {
                throw ReadError(description: "\(what) is not a CPU list (\(error.message))")
            }
        }
        let defaults = try cpus(json["defaultCpuSet"] ?? .string(""), "defaultCpuSet")
        var assigned = CPUSet()
        if let entries = json["entries"], !entries.isNull {
            guard let pods = entries.objectValue else { throw ReadError(description: "entries is not an object") }
            for (_, containers) in pods {
                guard let list = containers.objectValue else { throw ReadError(description: "an entry of a pod is not an object") }
                for (_, value) in list { assigned.formUnion(try cpus(value, "a container's entry")) }
            }
        }
        return CPUManagerCheckpoint(policyName: policy, defaultCPUs: defaults, assignedCPUs: assigned)
    }
}
