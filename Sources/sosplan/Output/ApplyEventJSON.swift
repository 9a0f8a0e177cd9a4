import SosplanApply
import SosplanCore

/// `apply --format json`: one JSON object per line and event, for scripts.
/// Every line has `event`; step events carry `step` (its id), `action`,
/// `target`, `index` (1-based) and `total`.
enum ApplyEventJSON {
    static func line(_ event: ApplyEvent) -> String {
        JSONWriter.compact(.object(fields(event))) + "\n"
    }

    static func fields(_ event: ApplyEvent) -> [(String, JSONValue)] {
        switch event {
        case .interrupted(let journal):
            return [("event", .string("interrupted")), ("journal", .string(journal.path)), ("progress", .string(journal.progress)),
                    ("pid", journal.header.map { .int(Int($0.pid)) } ?? .null),
                    ("startedAt", journal.header.map { .string($0.startedAt) } ?? .null)]
        case .repaired(let lines):
            return [("event", .string("repaired")), ("actions", strings(lines))]
        case .planned(let plan):
            return [("event", .string("planned")), ("steps", .int(plan.steps.count)), ("plan", plan.jsonValue())]
        case .stepStarted(let step, let index, let total):
            return [("event", .string("step-started"))] + stepFields(step, index, total)
        case .stepFinished(let step, let index, let total, let seconds, let result, let batch):
            var f: [(String, JSONValue)] = [("event", .string("step-done"))] + stepFields(step, index, total)
            f += [("seconds", .double(seconds)), ("batch", .int(batch)), ("actions", strings(result.actions))]
            if let exec = result.execStart { f.append(("execStart", strings(exec))) }
            return f
        case .stepFailed(let step, let index, let total, let seconds, let error):
            return [("event", .string("step-failed"))] + stepFields(step, index, total) + [("seconds", .double(seconds)), ("error", .string(error))]
        case .undoStarted(let step):
            return [("event", .string("undo-started")), ("step", .string(step.id)), ("action", .string(step.action.rawValue)), ("target", .string(step.target.description))]
        case .undoFinished(let step, let seconds, let actions):
            return [("event", .string("undo-done")), ("step", .string(step.id)), ("action", .string(step.action.rawValue)),
                    ("target", .string(step.target.description)), ("seconds", .double(seconds)), ("actions", strings(actions))]
        case .undoFailed(let step, let error):
            return [("event", .string("undo-failed")), ("step", .string(step.id)), ("action", .string(step.action.rawValue)),
                    ("target", .string(step.target.description)), ("error", .string(error))]
        case .warning(let message):
            return [("event", .string("warning")), ("message", .string(message))]
        case .finished(let report):
            let s = report.summary
            var f: [(String, JSONValue)] = [
                ("event", .string("finished")), ("outcome", .string(report.outcome.rawValue)), ("exitCode", .int(Int(report.exitCode))),
                ("summary", .object([("add", .int(s.add)), ("change", .int(s.change)), ("destroy", .int(s.destroy))])),
                ("completed", strings(report.completed.map(\.id))), ("undone", strings(report.undone.map(\.id))),
                ("seconds", .double(report.seconds)),
                ("mutations", .object([("dbus", .int(report.mutations.dbus)), ("sysfsWrites", .int(report.mutations.sysfsWrites)),
                                       ("enclaveOperations", .int(report.mutations.enclaveOperations))])),
            ]
            if let step = report.failedStep { f.append(("failedStep", .string(step.id))) }
            if let error = report.failure { f.append(("error", .string(error))) }
            if !report.undoFailures.isEmpty {
                f.append(("undoFailures", .array(report.undoFailures.map { .object([("step", .string($0.step.id)), ("error", .string($0.error))]) })))
            }
            if !report.left.isEmpty { f.append(("left", strings(report.left))) }
            if !report.warnings.isEmpty { f.append(("warnings", strings(report.warnings))) }
            return f
        }
    }

    static func stepFields(_ step: Step, _ index: Int, _ total: Int) -> [(String, JSONValue)] {
        [("step", .string(step.id)), ("action", .string(step.action.rawValue)), ("target", .string(step.target.description)),
         ("index", .int(index)), ("total", .int(total))]
    }

    static func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
}
