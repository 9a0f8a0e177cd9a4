/// The last reconcile attempt (`<state>/last-reconcile.json`): when, what
/// started it, how it ended. Kept also when nothing was applied (an
/// invalid layout, a layout that does not fit), which `applied.json` is not.
public struct ReconcileRecord: Codable, Sendable, Hashable {
    public static let fileName = "last-reconcile.json"
    public static let schemaID = "sosplan.reconcile/v1"

    public enum Result: String, Codable, Sendable {
        case noChanges = "no-changes"
        case converged
        case rolledBack = "rolled-back"
        case rollbackIncomplete = "rollback-incomplete"
        /// The layout file does not validate: nothing was applied, the
        /// last applied layout stays in force.
        case invalidLayout = "invalid-layout"
        /// Planning or preparing failed (does not fit, wrong host, locked).
        case notApplied = "not-applied"

        public var succeeded: Bool { self == .noChanges || self == .converged }
    }

    public var schema: String
    /// ISO 8601, UTC.
    public var at: String
    /// Seconds since the epoch (for metrics).
    public var epochSeconds: Double
    public var trigger: String
    public var result: Result
    public var seconds: Double
    public var steps: Int
    public var layout: String?
    /// Why it did not converge, when it did not.
    public var message: String?

    public init(
        at: String, epochSeconds: Double, trigger: String, result: Result, seconds: Double, steps: Int, layout: String?,
        message: String?
    ) {
        schema = Self.schemaID
        self.at = at
        self.epochSeconds = epochSeconds
        self.trigger = trigger
        self.result = result
        self.seconds = seconds
        self.steps = steps
        self.layout = layout
        self.message = message
    }

    public func jsonValue() -> JSONValue { (try? JSONValueEncoder().encode(self)) ?? .null }

    public static func decode(json text: String) -> ReconcileRecord? {
        try? SchemaDocument.decode(ReconcileRecord.self, schemaID: schemaID, json: text)
    }
}
