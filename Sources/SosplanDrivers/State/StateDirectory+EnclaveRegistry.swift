import FoundationEssentials
import Glibc
import SosplanCore

/// One enclave sosplan created: its layout name and the driver's handle.
/// The registry only names what a driver observes; it never makes an
/// instance exist.
public struct EnclaveRegistryEntry: Codable, Sendable, Hashable {
    public var name: String
    public var driver: EnclaveDriverKind
    /// IHK OS index, Pisces enclave id, `partition` for mOS.
    public var instance: String
    /// The CPUs at the last change sosplan made (to tell a reused handle
    /// from the enclave it named).
    public var cpus: CPUSet
    public var memory: [MemoryChunk]
    /// What the tools cannot read back (IHK and Pisces keep no record).
    public var image: String?
    public var args: String?
    /// Where the instance is in its life, as sosplan made it (IHK: whether
    /// it has booted, so that nobody asks a never-booted OS for its status);
    /// nil in entries written before it was kept, read as `booted`.
    public var lifecycle: EnclaveLifecycle?
    /// The CPUs in the order sosplan added them (Pisces: Kitten numbers its
    /// CPUs in that order, while /proc lists them sorted).
    public var cpuOrder: [Int]?
    /// The group given the device nodes (`EnclaveRequest.deviceGroup`).
    public var deviceGroup: String?

    public init(
        name: String, driver: EnclaveDriverKind, instance: String, cpus: CPUSet, memory: [MemoryChunk],
        image: String? = nil, args: String? = nil, lifecycle: EnclaveLifecycle? = nil, cpuOrder: [Int]? = nil,
        deviceGroup: String? = nil
    ) {
        self.name = name
        self.driver = driver
        self.instance = instance
        self.cpus = cpus
        self.memory = memory
        self.image = image
        self.args = args
        self.lifecycle = lifecycle
        self.cpuOrder = cpuOrder
        self.deviceGroup = deviceGroup
    }

    /// Whether the entry names an instance that has come up (`booted` or
    /// an older entry without a life cycle).
    public var isUp: Bool { lifecycle != .created }
}

/// How far sosplan brought an instance. IHK (mcreboot keeps the same
/// knowledge in its script's flow): `created` from `ihkconfig create` until
/// a successful `ihkosctl boot`, `booted` after. Only a booted OS may be
/// asked for its status (ihk `smp-arch-driver.c:837-838` dereferences the
/// boot parameters, which exist only from boot to shutdown).
public enum EnclaveLifecycle: String, Codable, Sendable, Hashable {
    case created, booted
}

/// `enclaves.json` in the state directory.
struct EnclaveRegistryFile: Codable {
    static let schemaID = "sosplan.enclave-registry/v1"
    var schema: String
    var enclaves: [EnclaveRegistryEntry]
}

extension StateDirectory {
    public static let enclaveRegistryName = "enclaves.json"

    /// The registry's valid entries and what was wrong with the rest. A
    /// missing file is an empty registry; an unreadable one is ignored with
    /// a warning (the enclaves then show without names).
    public func readEnclaveRegistry() -> (entries: [EnclaveRegistryEntry], warnings: [String]) {
        guard let data = read(Self.enclaveRegistryName) else { return ([], []) }
        let path = file(Self.enclaveRegistryName).path
        let file: EnclaveRegistryFile
        do { file = try SchemaDocument.decode(EnclaveRegistryFile.self, schemaID: EnclaveRegistryFile.schemaID, json: Array(data)) } catch {
            if case .wrongSchema = error {
                return ([], ["\(path): not an enclave registry (schema is not \(EnclaveRegistryFile.schemaID)); ignored"])
            }
            return ([], ["\(path): unreadable (\(error)); ignored"])
        }
        var entries: [EnclaveRegistryEntry] = []
        var warnings: [String] = []
        var names = Set<String>(), handles = Set<String>()
        for entry in file.enclaves {
            do { try EnclaveText.checkName(entry.name) } catch {
                warnings.append("\(path): entry \(error); ignored")
                continue
            }
            let handle = "\(entry.driver.rawValue):\(entry.instance)"
            guard names.insert(entry.name).inserted, handles.insert(handle).inserted else {
                warnings.append("\(path): '\(entry.name)' (\(handle)) repeats a name or instance; ignored")
                continue
            }
            entries.append(entry)
        }
        return (entries, warnings)
    }

    /// Adds or replaces the entry for `entry.name` (and any entry holding the
    /// same driver instance), atomically.
    public func recordEnclave(_ entry: EnclaveRegistryEntry) throws {
        var entries = readEnclaveRegistry().entries.filter {
            $0.name != entry.name && !($0.driver == entry.driver && $0.instance == entry.instance)
        }
        entries.append(entry)
        try writeEnclaveRegistry(entries)
    }

    /// Removes the entry of `name` for `driver`, if any.
    public func forgetEnclave(name: String, driver: EnclaveDriverKind) throws {
        let entries = readEnclaveRegistry().entries
        let kept = entries.filter { !($0.name == name && $0.driver == driver) }
        if kept.count != entries.count { try writeEnclaveRegistry(kept) }
    }

    func writeEnclaveRegistry(_ entries: [EnclaveRegistryEntry]) throws {
        let file = EnclaveRegistryFile(
            schema: EnclaveRegistryFile.schemaID, enclaves: entries.sorted { $0.name < $1.name })
        let text = JSONWriter.pretty(try JSONValueEncoder().encode(file)) + "\n"
        try writeAtomically(Data(text.utf8), to: Self.enclaveRegistryName)
    }
}
