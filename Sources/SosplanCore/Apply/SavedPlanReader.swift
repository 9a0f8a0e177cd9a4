/// Reads a saved plan (`plan -o`, `apply PLAN.json`) as the input it is:
/// JSON syntax (a line and column), the schema, the shape of every field
/// (`SavedPlanShape`), the carried snapshot's consistency, then the steps'
/// rules (`SavedPlanValidator`). Each refusal names the field and what was
/// expected; long values are cut.
public enum SavedPlanReader {
    public struct Refusal: Error, CustomStringConvertible, Equatable, Sendable {
        /// Where a JSON syntax error is; nil for the other refusals.
        public var mark: SourceMark?
        public var problems: [String]

        public var description: String {
            if let mark, let first = problems.first { return "\(mark.line):\(mark.column): \(first)" }
            if problems.count == 1 { return "not a plan sosplan can apply: \(problems[0])" }
            let shown = problems.prefix(10).map { "\n  - \($0)" }.joined()
            let more = problems.count > 10 ? "\n  ... and \(problems.count - 10) more" : ""
            return "not a plan sosplan can apply (\(problems.count) problems):\(shown)\(more)"
        }
    }

    public static func read(_ text: String) throws(Refusal) -> Plan {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw Refusal(mark: error.mark, problems: [error.message])
        }
        guard value["schema"]?.stringValue == Plan.schemaID else {
            throw Refusal(problems: [PlanDecodingError.wrongSchema(value["schema"]?.stringValue.map { ControlCharacters.shown($0) }).description])
        }
        let shape = SavedPlanShape.problems(value)
        guard shape.isEmpty else { throw Refusal(problems: shape) }
        let plan: Plan
        do { plan = try JSONValueDecoder().decode(Plan.self, from: value) } catch {
            throw Refusal(problems: [ControlCharacters.shown(JSONValueDecoder.describe(error), limit: 300)])
        }
        if let problems = plan.priorSnapshot?.inconsistencies(), !problems.isEmpty {
            throw Refusal(problems: problems.map { "priorSnapshot.\($0)" })
        }
        let problems = SavedPlanValidator.problems(plan)
        guard problems.isEmpty else { throw Refusal(problems: problems) }
        return plan
    }
}
