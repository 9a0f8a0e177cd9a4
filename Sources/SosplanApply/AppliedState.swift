import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// `<state>/applied.json`: the last apply that converged, when, by which
/// trigger, and the host as it was right after (what `status` compares
/// the host with to report drift).
public struct AppliedState: Codable, Sendable {
    public static let fileName = "applied.json"
    public static let schemaID = "sosplan.applied/v1"

    public var schema: String
    public var appliedAt: String
    public var trigger: String
    public var layout: JournalLayout?
    public var plan: Plan
    public var unitNames: [String]
    public var snapshot: HostSnapshot
    public var seconds: Double
    /// The kernel's boot id then: a new one means the kernel forgot what
    /// it does not keep across a reboot (hugepages, offline CPUs, enclaves).
    public var bootID: String?

    public init(
        appliedAt: String, trigger: String, layout: JournalLayout?, plan: Plan, unitNames: [String], snapshot: HostSnapshot,
        seconds: Double, bootID: String? = nil
    ) {
        schema = Self.schemaID
        self.appliedAt = appliedAt
        self.trigger = trigger
        self.layout = layout
        self.plan = plan
        self.unitNames = unitNames
        self.snapshot = snapshot
        self.seconds = seconds
        self.bootID = bootID
    }

    /// The last applied state, nil also when it is damaged (`load` says why).
    public static func read(in directory: StateDirectory) -> AppliedState? { (try? load(in: directory)) ?? nil }

    func write(in directory: StateDirectory) throws {
        let text = JSONWriter.pretty(try JSONValueEncoder().encode(self)) + "\n"
        try DurableFile.replace(directory.file(Self.fileName).path, with: Array(text.utf8))
    }
}
