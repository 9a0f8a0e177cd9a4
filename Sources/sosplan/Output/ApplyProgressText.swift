import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// `apply`'s progress for people: one line per step with its duration on
/// stderr as it happens, the plan and the final summary on stdout.
final class ApplyProgressText {
    /// Off once the plan was shown for confirmation.
    var showPlan = true

    func render(_ event: ApplyEvent) {
        switch event {
        case .interrupted(let journal):
            let h = journal.header
            Terminal.err(
                "warning: an earlier apply did not finish (pid \(h.map { String($0.pid) } ?? "?"), "
                    + "started \(ControlCharacters.escaped(h?.startedAt ?? "?")), '\(ControlCharacters.escaped(h?.command ?? "?"))'): "
                    + "it stopped \(ControlCharacters.escaped(journal.progress))\n")
        case .repaired(let lines):
            Terminal.err("Gave back what it left without an owner:\n" + lines.map { "  - \($0)\n" }.joined())
        case .planned(let plan):
            if showPlan && !plan.steps.isEmpty { Terminal.out(PlanFormatter.text(plan)) }
        case .stepStarted:
            break
        case .stepFinished(let step, let index, let total, let seconds, _, _):
            Terminal.err("\(Self.counter(index, total)) \(Self.name(step))  done in \(Self.duration(seconds))\n")
        case .stepFailed(let step, let index, let total, let seconds, let error):
            Terminal.err("\(Self.counter(index, total)) \(Self.name(step))  FAILED after \(Self.duration(seconds)): \(error)\n")
        case .undoStarted:
            break
        case .undoFinished(let step, let seconds, _):
            Terminal.err("  undo  \(Self.name(step))  done in \(Self.duration(seconds))\n")
        case .undoFailed(let step, let error):
            Terminal.err("  undo  \(Self.name(step))  FAILED: \(error)\n")
        case .warning(let message):
            Terminal.err("warning: \(message)\n")
        case .finished(let report):
            Terminal.out(Self.summary(report))
        }
    }

    static func counter(_ index: Int, _ total: Int) -> String {
        let width = String(total).count
        let i = String(index)
        return "[" + String(repeating: " ", count: max(0, width - i.count)) + i + "/\(total)]"
    }

    static func name(_ step: Step) -> String { "\(step.action.rawValue) \(ControlCharacters.escaped(step.target.description))" }

    static func duration(_ seconds: Double) -> String {
        FixedPoint.text(seconds, digits: seconds < 10 ? 2 : 1) + "s"
    }

    static func summary(_ report: ApplyReport) -> String {
        let steps = report.plan?.steps.count ?? 0
        switch report.outcome {
        case .noChanges:
            return "No changes. The host already matches the layout.\n"
        case .converged:
            let s = report.summary
            return "Apply complete: \(s.add) added, \(s.change) changed, \(s.destroy) destroyed "
                + "(\(steps) step\(steps == 1 ? "" : "s") in \(duration(report.seconds))).\n"
        case .rolledBack:
            return failure(report) + "Rolled back: \(report.undone.count) step\(report.undone.count == 1 ? "" : "s") undone; "
                + "the host is as it was before.\n"
        case .restored:
            return "Rollback complete: \(report.undone.count) step\(report.undone.count == 1 ? "" : "s") undone; "
                + "the host is as it was before the interrupted apply.\n"
        case .rollbackIncomplete:
            var text = report.failedStep == nil ? "The rollback is incomplete.\n" : failure(report) + "The rollback is incomplete.\n"
            if !report.undone.isEmpty { text += "Undone: " + report.undone.map(name).joined(separator: ", ") + "\n" }
            for f in report.undoFailures { text += "Could not undo \(name(f.step)): \(f.error)\n" }
            text += "Left on the host (compared with before the apply):\n" + report.left.map { "  - \($0)\n" }.joined()
            text += "hint: fix what is named above, then run 'sosplan apply' again (or 'sosplan apply --rollback')\n"
            return text
        }
    }

    static func failure(_ report: ApplyReport) -> String {
        guard let step = report.failedStep else { return "Apply failed: \(report.failure ?? "unknown error")\n" }
        let index = report.plan?.steps.firstIndex { $0.id == step.id }.map { "step \($0 + 1) of \(report.plan?.steps.count ?? 0)" } ?? "a step"
        return "Apply failed at \(index) (\(name(step))): \(report.failure ?? "unknown error")\n"
    }
}
