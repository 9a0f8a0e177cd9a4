import SosplanApply
import SosplanCore

/// An apply's events as log lines for a daemon: one line per event, so
/// journald keeps each with its priority.
public enum ApplyEventLog {
    public static func line(_ event: ApplyEvent) -> LogLine? {
        switch event {
        case .interrupted(let journal):
            return LogLine(.warning, "an earlier apply did not finish (started \(journal.header?.startedAt ?? "?")): it stopped \(journal.progress)")
        case .repaired(let lines):
            return LogLine(.notice, "gave back what an interrupted apply left without an owner: " + lines.joined(separator: "; "))
        case .planned(let plan):
            guard !plan.steps.isEmpty else { return nil }
            let s = plan.summary
            return LogLine(.info, "plan: \(plan.steps.count) step(s): \(s.add) to add, \(s.change) to change, \(s.destroy) to destroy")
        case .stepStarted, .undoStarted:
            return nil
        case .stepFinished(let step, let index, let total, let seconds, _, _):
            return LogLine(.info, "[\(index)/\(total)] \(step.action.rawValue) \(step.target) done in \(ms(seconds))")
        case .stepFailed(let step, let index, let total, _, let error):
            return LogLine(.error, "[\(index)/\(total)] \(step.action.rawValue) \(step.target) failed: \(error)")
        case .undoFinished(let step, let seconds, _):
            return LogLine(.notice, "undo \(step.action.rawValue) \(step.target) done in \(ms(seconds))")
        case .undoFailed(let step, let error):
            return LogLine(.error, "undo \(step.action.rawValue) \(step.target) failed: \(error)")
        case .warning(let message):
            return LogLine(.warning, message)
        case .finished(let report):
            if report.outcome == .rollbackIncomplete {
                return LogLine(.error, "the rollback is incomplete; left on the host: " + report.left.joined(separator: "; "))
            }
            return nil
        }
    }

    static func ms(_ s: Double) -> String { WatchLoop.ms(s) }
}
