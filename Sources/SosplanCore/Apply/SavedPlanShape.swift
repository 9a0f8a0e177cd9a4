/// The shape of a saved plan's JSON, checked before it is decoded: every
/// field sosplan knows, with the type it must have, and no other. A problem
/// names the field by its JSON path and says what was expected (`steps[3].
/// action: 'exec' is not a step action; expected one of slice.create, ...`),
/// so a damaged or hand-made plan never gets a decoder's internal message.
enum SavedPlanShape {
    enum Kind {
        case string, bool, integer, object, stringArray, objectArray, anyArray
        /// One of these strings.
        case oneOf([String])

        var expected: String {
            switch self {
            case .string: return "a string"
            case .bool: return "true or false"
            case .integer: return "a whole number"
            case .object: return "an object"
            case .stringArray: return "a list of strings"
            case .objectArray: return "a list of objects"
            case .anyArray: return "a list"
            case .oneOf(let words): return "one of " + words.joined(separator: ", ")
            }
        }
    }

    typealias Field = (name: String, kind: Kind, required: Bool)

    static let planFields: [Field] = [
        ("schema", .string, true), ("layout", .string, true), ("changes", .bool, true), ("summary", .object, true),
        ("placement", .object, true), ("steps", .objectArray, true), ("notes", .stringArray, true),
        ("snapshotFingerprint", .string, true), ("hostname", .string, false), ("layoutSource", .object, false),
        ("priorSnapshot", .object, false),
    ]
    static let summaryFields: [Field] = [("add", .integer, true), ("change", .integer, true), ("destroy", .integer, true)]
    static let layoutSourceFields: [Field] = [("file", .string, true), ("sha256", .string, true), ("text", .string, true)]
    static let stepFields: [Field] = [
        ("id", .string, true), ("action", .oneOf(StepAction.allCases.map(\.rawValue)), true), ("target", .string, true),
        ("dependsOn", .stringArray, true), ("disruption", .oneOf(Disruption.allCases.map(\.rawValue)), true),
        ("before", .object, true), ("after", .object, true), ("reason", .string, false),
    ]

    /// Every shape problem of a plan document, as `path: what; expected ...`.
    static func problems(_ value: JSONValue) -> [String] {
        var out: [String] = []
        guard check(value, fields: planFields, at: "", into: &out) else { return out }
        if let summary = value["summary"] { _ = check(summary, fields: summaryFields, at: "summary", into: &out) }
        if let source = value["layoutSource"], !source.isNull { _ = check(source, fields: layoutSourceFields, at: "layoutSource", into: &out) }
        for (i, step) in (value["steps"]?.arrayValue ?? []).enumerated() {
            _ = check(step, fields: stepFields, at: "steps[\(i)]", into: &out)
            if let problem = targetKindProblem(step) { out.append("steps[\(i)].target: \(problem)") }
            if out.count >= 20 { break }
        }
        return out
    }

    /// A target of another kind than its action changes (`cpu:4` for
    /// `unit.create`): the typed `StepTarget` refuses it, named here by
    /// field rather than by the decoder.
    private static func targetKindProblem(_ step: JSONValue) -> String? {
        guard let action = step["action"]?.stringValue.flatMap(StepAction.init(rawValue:)),
            let text = step["target"]?.stringValue
        else { return nil }
        do { _ = try StepTarget.parse(text, for: action) } catch {
            // The message quotes the text: cut it there, and escape the rest.
            let cut = error.description.replacingText("'\(text)'", with: "'\(ControlCharacters.shown(text))'")
            return ControlCharacters.escaped(cut) + " for \(action.rawValue)"
        }
        return nil
    }

    /// Checks an object's fields; false when it is not an object at all.
    private static func check(_ value: JSONValue, fields: [Field], at path: String, into out: inout [String]) -> Bool {
        guard let members = value.objectValue else {
            out.append("\(path.isEmpty ? "the document" : path): expected an object, found \(describe(value))")
            return false
        }
        let prefix = path.isEmpty ? "" : path + "."
        for (key, _) in members where !fields.contains(where: { $0.name == key }) {
            out.append("\(prefix)\(ControlCharacters.shown(key, limit: 40)): not a field of a saved plan here; "
                + "expected only " + fields.map(\.name).joined(separator: ", "))
        }
        for field in fields {
            guard let v = value[field.name], !(v.isNull && !field.required) else {
                if field.required { out.append("\(prefix)\(field.name): missing; expected \(field.kind.expected)") }
                continue
            }
            if let found = mismatch(v, field.kind) { out.append("\(prefix)\(field.name): \(found)") }
        }
        return true
    }

    /// What is wrong with `v` as `kind`, nil when nothing.
    private static func mismatch(_ v: JSONValue, _ kind: Kind) -> String? {
        let ok: Bool
        switch kind {
        case .string: ok = v.stringValue != nil
        case .bool: ok = v.boolValue != nil
        case .integer: ok = v.intValue != nil
        case .object: ok = v.objectValue != nil
        case .stringArray: ok = v.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false
        case .objectArray: ok = v.arrayValue?.allSatisfy { $0.objectValue != nil } ?? false
        case .anyArray: ok = v.arrayValue != nil
        case .oneOf(let words):
            guard let s = v.stringValue else { return "expected \(kind.expected), found \(describe(v))" }
            return words.contains(s) ? nil : "'\(ControlCharacters.shown(s, limit: 40))' is not known; expected \(kind.expected)"
        }
        return ok ? nil : "expected \(kind.expected), found \(describe(v))"
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int, .uint, .double: return "the number \(JSONWriter.compact(v))"
        case .string(let s): return "the string '\(ControlCharacters.shown(s, limit: 40))'"
        case .array(let items): return "a list of \(items.count)"
        case .object: return "an object"
        }
    }
}
