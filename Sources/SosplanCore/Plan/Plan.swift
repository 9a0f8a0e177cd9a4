/// The result of planning: the full desired placement and the ordered steps
/// that take the host from its snapshot there. Serialized as the
/// `sosplan.plan/v1` JSON of `design/cli.md`.
public struct Plan: Codable, Sendable, Hashable {
    public static let schemaID = "sosplan.plan/v1"

    public var schema: String
    /// `metadata.name` of the layout.
    public var layout: String
    /// False when the host already matches (a saved no-op plan says so itself).
    public var changes: Bool
    public var summary: PlanSummary
    public var placement: Placement
    /// Executable one by one in this order; `dependsOn` names earlier steps only.
    public var steps: [Step]
    /// Changes the plan could not make, with why (deferred recreates, shrinks).
    public var notes: [String]
    public var snapshotFingerprint: String
    /// `metadata.hostname` of the layout (a name or glob): apply refuses
    /// a saved plan on a host that does not match.
    public var hostname: String?
    /// The layout the plan was made from, in saved plans (`plan -o`):
    /// `apply PLAN.json` plans it again and carries out the plan only when
    /// its steps are these (`SavedPlanRule`).
    public var layoutSource: LayoutSource?
    /// The snapshot the plan was made against, in saved plans (`plan -o`):
    /// lets `apply PLAN.json` name what changed when the plan is stale.
    public var priorSnapshot: HostSnapshot?

    public init(
        layout: String, placement: Placement, steps: [Step], notes: [String] = [], snapshotFingerprint: String,
        hostname: String? = nil, priorSnapshot: HostSnapshot? = nil, layoutSource: LayoutSource? = nil
    ) {
        self.schema = Plan.schemaID
        self.layout = layout
        self.changes = !steps.isEmpty
        self.summary = PlanSummary(steps: steps)
        self.placement = placement
        self.steps = steps
        self.notes = notes
        self.snapshotFingerprint = snapshotFingerprint
        self.hostname = hostname
        self.priorSnapshot = priorSnapshot
        self.layoutSource = layoutSource
    }

    public func jsonValue() -> JSONValue { (try? JSONValueEncoder().encode(self)) ?? .null }
    public func jsonText() -> String { JSONWriter.pretty(jsonValue()) }

    public static func decode(json text: String) throws -> Plan {
        let value = try JSONParser.parse(text)
        guard value["schema"]?.stringValue == schemaID else {
            throw PlanDecodingError.wrongSchema(value["schema"]?.stringValue)
        }
        let plan = try JSONValueDecoder().decode(Plan.self, from: value)
        if let problems = plan.priorSnapshot?.inconsistencies(), !problems.isEmpty {
            throw SnapshotError.inconsistent(problems.map { "priorSnapshot.\($0)" })
        }
        return plan
    }
}

public enum PlanDecodingError: Error, CustomStringConvertible {
    case wrongSchema(String?)

    public var description: String {
        switch self {
        case .wrongSchema(let s):
            return "not a sosplan plan: schema is \(s.map { "'\($0)'" } ?? "missing"), expected '\(Plan.schemaID)'"
        }
    }
}

/// Terraform-style counts: objects added, changed in place, destroyed.
public struct PlanSummary: Codable, Sendable, Hashable {
    public var add: Int
    public var change: Int
    public var destroy: Int

    public init(add: Int, change: Int, destroy: Int) {
        self.add = add
        self.change = change
        self.destroy = destroy
    }

    public init(steps: [Step]) {
        var add = 0, change = 0, destroy = 0
        for step in steps {
            switch step.action.effect {
            case .add: add += 1
            case .change: change += 1
            case .destroy: destroy += 1
            }
        }
        self.init(add: add, change: change, destroy: destroy)
    }
}
