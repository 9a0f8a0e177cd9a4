import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// One reconcile: read the layout file, validate it, plan against the host
/// as it is, apply without asking, and record how it went. A layout that
/// stops validating changes nothing: it is reported with FILE:LINE:COLUMN,
/// and the last layout that validated stays in force (a hotplug pass plans
/// with it). Used by `reconcile` (once, from systemd units) and by the
/// watch loop.
public final class ReconcilePass {
    public let layoutPath: String
    public let reconciler: Reconciler
    public var log: (LogLine) -> Void
    /// The last layout that validated (from the last converged apply at first).
    public private(set) var lastGoodLayout: JournalLayout?

    public init(layoutPath: String, reconciler: Reconciler, log: @escaping (LogLine) -> Void) {
        self.layoutPath = URL(fileURLWithPath: layoutPath).standardizedFileURL.path
        self.reconciler = reconciler
        self.log = log
        lastGoodLayout = AppliedState.read(in: reconciler.state)?.layout
    }

    public struct Outcome: Sendable {
        public var record: ReconcileRecord
        public var report: ApplyReport?
        /// Hotplug changes this pass's own steps caused (not to re-plan).
        public var selfCaused = SelfCausedChanges()
        /// The SHA-256 of the layout file as read (nil: unreadable).
        public var layoutSHA256: String?
        /// The host as the pass left it, planned again, when it converged.
        public var settled: SettledHost?

        /// `apply`'s exit codes; 1 for a layout that does not validate or fit.
        public var exitCode: Int32 {
            switch record.result {
            case .noChanges, .converged: return 0
            case .rolledBack, .invalidLayout, .notApplied: return 1
            case .rollbackIncomplete: return 3
            }
        }

        /// Planning again after the apply still gives steps.
        public var needsAnotherPass: Bool { !(report?.remaining.isEmpty ?? true) }
    }

    /// The file's text and hash, or why it cannot be read.
    public func readLayout() -> Result<JournalLayout, InputFile.ReadError> {
        InputFile.read(layoutPath).map { JournalLayout(file: layoutPath, text: String(decoding: $0, as: UTF8.self)) }
    }

    /// Runs one pass. `trigger` nil: inferred (layout edit, boot, hotplug).
    public func run(trigger: String?) -> Outcome {
        let start = Date()
        var layoutSource: JournalLayout
        var fileProblem: String?
        var sha: String?
        switch readLayout() {
        case .failure(let e):
            fileProblem = "\(layoutPath): \(e.description)"
            log(.init(.error, fileProblem!))
            guard let good = lastGoodLayout else { return finish(start, trigger ?? ReconcileTrigger.layout, .invalidLayout, message: fileProblem, sha: nil) }
            layoutSource = good
        case .success(let source):
            layoutSource = source
            sha = source.sha256
        }
        var decoded = LayoutDecoder.decode(layoutSource.text, file: layoutSource.file)
        for d in decoded.diagnostics {
            log(.init(d.severity == .error ? .error : .warning, DiagnosticFormatter.text([d]).trimmingASCIIWhitespace()))
        }
        if decoded.layout == nil {
            fileProblem = "\(layoutSource.file) does not validate (\(decoded.diagnostics.filter { $0.severity == .error }.count) error(s)); nothing was changed"
            guard let good = lastGoodLayout, good.sha256 != layoutSource.sha256 else {
                log(.init(.error, fileProblem!))
                return finish(start, trigger ?? ReconcileTrigger.layout, .invalidLayout, message: fileProblem, sha: sha)
            }
            log(.init(.error, fileProblem! + "; the last applied layout stays in force"))
            layoutSource = good
            decoded = LayoutDecoder.decode(good.text, file: good.file)
        }
        guard let layout = decoded.layout else {
            return finish(start, trigger ?? ReconcileTrigger.layout, .invalidLayout, message: fileProblem, sha: sha)
        }

        do {
            try reconciler.acquireLock(hostname: nil)
        } catch {
            log(.init(.error, error.description))
            return finish(start, trigger ?? ReconcileTrigger.check, .notApplied, message: error.description, sha: sha)
        }
        defer { reconciler.releaseLock() }
        let prepared: PreparedApply
        do {
            prepared = try reconciler.prepare(layout: layout, source: layoutSource)
        } catch {
            if case .plan(let diagnostics) = error {
                for d in diagnostics where d.severity == .error { log(.init(.error, DiagnosticFormatter.text([d]).trimmingASCIIWhitespace())) }
            }
            log(.init(.error, error.description))
            return finish(start, trigger ?? ReconcileTrigger.check, .notApplied, message: error.description, sha: sha)
        }
        let why = trigger ?? inferTrigger(layoutSource, now: prepared.snapshot)
        var toApply = prepared
        toApply.trigger = why
        let report = reconciler.apply(toApply)
        if fileProblem == nil { lastGoodLayout = layoutSource }
        var outcome = finish(
            // An invalid file is the result even when the last good layout was re-applied,
            // in the record on disk as in the outcome.
            start, why, fileProblem != nil ? .invalidLayout : ReconcileRecord.Result(report.outcome),
            message: fileProblem ?? report.failure, sha: sha,
            steps: report.completed.count)
        outcome.report = report
        // A status right after reads what the apply saw last, if the layout is the one applied.
        if fileProblem == nil { outcome.settled = report.settled }
        if !prepared.plan.steps.isEmpty {
            outcome.selfCaused = SelfCausedChanges(
                plan: prepared.plan, onlineBefore: prepared.snapshot.topology.onlineCPUs,
                memoryBlockSize: prepared.snapshot.topology.memoryBlockSizeBytes)
        }
        return outcome
    }

    /// Why this pass runs when nobody said: an edited layout, a reboot, or
    /// hotplug, from what the last converged apply recorded.
    private func inferTrigger(_ layout: JournalLayout, now: HostSnapshot) -> String {
        let applied = AppliedState.read(in: reconciler.state)
        return ReconcileTrigger.infer(
            layoutSHA256: layout.sha256, bootID: BootID.read(root: reconciler.host.hotplug.root), now: now.topology,
            applied: applied.map { .init(layoutSHA256: $0.layout?.sha256, bootID: $0.bootID, topology: $0.snapshot.topology) })
    }

    private func finish(
        _ start: Date, _ trigger: String, _ result: ReconcileRecord.Result, message: String?, sha: String?, steps: Int = 0
    ) -> Outcome {
        let end = Date()
        let record = ReconcileRecord(
            at: Timestamp.format(end), epochSeconds: end.timeIntervalSince1970, trigger: trigger, result: result,
            seconds: end.timeIntervalSince(start), steps: steps, layout: layoutPath, message: message)
        do {
            let text = JSONWriter.pretty(record.jsonValue()) + "\n"
            try DurableFile.replace(reconciler.state.file(ReconcileRecord.fileName).path, with: Array(text.utf8))
        } catch {
            log(.init(.warning, "cannot record the reconcile: \(error)"))
        }
        return Outcome(record: record, layoutSHA256: sha)
    }
}

extension ReconcileRecord.Result {
    init(_ outcome: ApplyReport.Outcome) {
        switch outcome {
        case .noChanges: self = .noChanges
        case .converged, .restored: self = .converged
        case .rolledBack: self = .rolledBack
        case .rollbackIncomplete: self = .rollbackIncomplete
        }
    }
}
