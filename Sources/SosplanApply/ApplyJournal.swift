import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// The apply journal, `<state>/journal.jsonl`: the plan, the layout, the
/// snapshot before, then a record before and after every step (and every
/// undo), each fsynced before the step it announces runs. While the file
/// exists an apply is under way or was interrupted; a finished apply
/// moves it to `last-apply.jsonl`.
public final class ApplyJournal {
    public static let fileName = "journal.jsonl"
    public static let lastFileName = "last-apply.jsonl"

    public let path: String
    let directory: StateDirectory
    private let log: DurableLog

    convenience init(directory: StateDirectory, existing log: DurableLog) { self.init(directory: directory, log: log) }

    private init(directory: StateDirectory, log: DurableLog) {
        self.directory = directory
        self.log = log
        path = log.path
    }

    /// Starts a journal; refuses when an unfinished one is there.
    static func begin(in directory: StateDirectory, header: JournalHeader) throws(ApplyFailure) -> ApplyJournal {
        let path = directory.file(fileName).path
        guard !FileManager.default.fileExists(atPath: path) else {
            throw .journal("an unfinished apply journal is in the way (\(path))")
        }
        let journal: ApplyJournal
        do { journal = ApplyJournal(directory: directory, log: try DurableLog(path: path)) } catch {
            throw .journal("cannot start the journal: \(error)")
        }
        var record = JournalRecord(.begin)
        record.header = header
        try journal.append(record)
        return journal
    }

    func append(_ record: JournalRecord) throws(ApplyFailure) {
        let line: String
        do { line = JSONWriter.compact(try JSONValueEncoder().encode(record)) } catch {
            throw .journal("cannot encode a journal record: \(error)")
        }
        do { try log.append(line) } catch { throw .journal("cannot write the journal: \(error)") }
    }

    /// Ends the journal with its result and moves it aside.
    func finish(_ result: JournalRecord.Result, left: [String] = []) throws(ApplyFailure) {
        var record = JournalRecord(.end)
        record.result = result
        record.left = left.isEmpty ? nil : left
        try append(record)
        try Self.archive(in: directory)
    }

    static func archive(in directory: StateDirectory) throws(ApplyFailure) {
        do { try DurableFile.move(directory.file(fileName).path, to: directory.file(lastFileName).path) } catch {
            throw .journal("cannot move the finished journal aside: \(error)")
        }
    }
}

/// The first record of a journal: what was applied, from what.
public struct JournalHeader: Codable, Sendable {
    public var id: String
    public var startedAt: String
    public var pid: Int32
    public var command: String
    /// What started the apply: `cli`, `path-unit`, `hotplug`, `boot`...
    public var trigger: String
    public var hostname: String?
    /// The layout (absent for `apply PLAN.json`).
    public var layout: JournalLayout?
    /// Units observed with the snapshot (the layout's), observed again to check.
    public var unitNames: [String]
    public var plan: Plan
    public var priorSnapshot: HostSnapshot
}

/// The layout an apply carried out (Core's `LayoutSource`).
public typealias JournalLayout = LayoutSource

public struct JournalRecord: Codable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case begin
        case stepsBegun = "steps-begun"
        case stepsDone = "steps-done"
        case stepsFailed = "steps-failed"
        case undoBegun = "undo-begun"
        case undoDone = "undo-done"
        case undoFailed = "undo-failed"
        case repair
        case end
    }

    public enum Result: String, Codable, Sendable {
        case converged
        case rolledBack = "rolled-back"
        case rollbackIncomplete = "rollback-incomplete"
        /// Interrupted; a later apply took over from the host as it was.
        case superseded
    }

    public var type: Kind
    public var time: String
    public var header: JournalHeader?
    public var steps: [String]?
    public var priors: [StepPrior]?
    public var error: String?
    public var actions: [String]?
    /// Launcher command lines resolved during the steps, by unit.
    public var execStart: [String: [String]]?
    public var result: Result?
    public var left: [String]?

    init(_ type: Kind, steps: [String]? = nil) {
        self.type = type
        time = Timestamp.now()
        self.steps = steps
    }
}

/// A journal read back, with what it says about each step.
public struct JournalContents: Sendable {
    public var path: String
    public var header: JournalHeader?
    public var records: [JournalRecord]

    public var isFinished: Bool { records.contains { $0.type == .end } }

    /// Steps that started, in order, with their recorded prior state.
    public var begun: [(step: Step, prior: StepPrior)] {
        guard let plan = header?.plan else { return [] }
        let byID = Dictionary(plan.steps.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [(Step, StepPrior)] = []
        for r in records where r.type == .stepsBegun {
            for (id, prior) in zip(r.steps ?? [], r.priors ?? []) { if let s = byID[id] { out.append((s, prior)) } }
        }
        return out
    }

    func ids(_ kind: JournalRecord.Kind) -> Set<String> {
        Set(records.filter { $0.type == kind }.flatMap { $0.steps ?? [] })
    }

    public var doneIDs: Set<String> { ids(.stepsDone) }
    public var undoneIDs: Set<String> { ids(.undoDone) }

    /// Started but neither done nor failed: where the apply was interrupted.
    public var interruptedIDs: [String] {
        let ended = doneIDs.union(ids(.stepsFailed))
        return begun.map(\.step.id).filter { !ended.contains($0) }
    }

    /// One line for messages: where the interrupted apply stopped.
    public var progress: String {
        guard let header else { return "before its first step" }
        let total = header.plan.steps.count
        let done = doneIDs.count
        if !undoneIDs.isEmpty || records.contains(where: { $0.type == .undoBegun }) {
            return "while rolling back (\(undoneIDs.count) of \(done + interruptedIDs.count) steps undone)"
        }
        if let id = interruptedIDs.first, let step = header.plan.steps.first(where: { $0.id == id }),
            let i = header.plan.steps.firstIndex(where: { $0.id == id })
        {
            return "during step \(i + 1) of \(total) (\(step.action.rawValue) \(step.target)), after \(done) done"
        }
        return "after \(done) of \(total) steps"
    }
}
