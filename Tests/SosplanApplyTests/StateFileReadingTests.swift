import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// sosplan's own state files read back as the untrusted input they are: a
/// truncated, mistyped or foreign file, a FIFO, a directory, a link to
/// /dev/zero or a huge file is a damage naming the file and what to do,
/// never "no interrupted apply" or "never applied", and no read blocks.
@Suite struct StateFileReadingTests {
    func scratch() throws -> (ScratchDirectory, StateDirectory) {
        let dir = try ScratchDirectory("state-files")
        let state = StateDirectory(path: dir.path("state").path)
        try FileManager.default.createDirectory(at: state.url, withIntermediateDirectories: true)
        return (dir, state)
    }

    /// Puts something that is not a state file at `path`.
    enum Hostile: CaseIterable {
        case fifo, directory, devZero, huge, empty

        func make(at path: String) throws {
            switch self {
            case .fifo: #expect(mkfifo(path, 0o600) == 0)
            case .directory: try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            case .devZero: try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero")
            case .huge:
                #expect(FileManager.default.createFile(atPath: path, contents: nil))
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try handle.truncate(atOffset: UInt64(StateFileReader.recordLimit + 1))
                try handle.close()
            case .empty: #expect(FileManager.default.createFile(atPath: path, contents: Data()))
            }
        }

        var problem: String {
            switch self {
            case .fifo: return "it is a FIFO (named pipe), not a regular file"
            case .directory: return "it is a directory, not a regular file"
            case .devZero: return "it is a symbolic link, not a regular file"
            case .huge: return "it is \(StateFileReader.recordLimit + 1) bytes; sosplan writes at most \(StateFileReader.recordLimit) bytes there"
            case .empty: return ""
            }
        }
    }

    @Test(arguments: [Hostile.fifo, .directory, .devZero, .huge])
    func aJournalThatIsNotAFileIsDamagedNotAbsent(_ hostile: Hostile) throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let path = state.file(ApplyJournal.fileName).path
        try hostile.make(at: path)
        #expect(throws: StateFileReader.Damage(path: path, problem: hostile.problem, remedy: ApplyJournal.remedy)) {
            _ = try ApplyJournal.load(in: state)
        }
        let failure = message { _ = try ApplyJournal.read(in: state) }
        #expect(failure == "\(path) is damaged: \(hostile.problem); \(ApplyJournal.remedy)")
        #expect(StateFiles.damages(in: state).map(\.path) == [path])
    }

    @Test(arguments: [Hostile.fifo, .directory, .devZero, .huge, .empty])
    func anAppliedStateThatIsNotOneIsDamagedNotNeverApplied(_ hostile: Hostile) throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let path = state.file(AppliedState.fileName).path
        try hostile.make(at: path)
        let problem = hostile == .empty ? "1:1: unexpected end of JSON" : hostile.problem
        #expect(throws: StateFileReader.Damage(path: path, problem: problem, remedy: AppliedState.remedy)) {
            _ = try AppliedState.load(in: state)
        }
        #expect(AppliedState.read(in: state) == nil)
        #expect(StateFiles.damages(in: state).map(\.description) == ["\(path) is damaged: \(problem)"])
    }

    static let host = ApplyJournalTests.host
    static let plan = ApplyJournalTests.plan

    func journalLines(_ lines: [String], in state: StateDirectory) throws {
        try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: state.file(ApplyJournal.fileName))
    }

    func line(_ record: JournalRecord) throws -> String { JSONWriter.compact(try JSONValueEncoder().encode(record)) }

    func beginning(_ plan: Plan = plan) throws -> String {
        var record = JournalRecord(.begin)
        record.header = ApplyJournalTests.header(plan)
        return try line(record)
    }

    /// Records that decode but cannot be a journal: the beginning lost,
    /// two beginnings, a plan with a cycle
    /// (`apply --rollback` would run its steps' undo).
    @Test func journalsThatContradictThemselvesAreDamaged() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let path = state.file(ApplyJournal.fileName).path
        let steps = Self.plan.steps
        var cyclic = Self.plan
        cyclic.steps[0].dependsOn = [cyclic.steps[1].id]
        cyclic.steps[1].dependsOn = [cyclic.steps[0].id]
        var forged = Self.plan
        // A unit step's target (a unit name) with a unit file section in it.
        let unitStep = try #require(forged.steps.firstIndex { $0.target.unitName != nil })
        forged.steps[unitStep].target = .unit("sshd.service\n[Service]")
        let cases: [([String], String)] = [
            ([try line(JournalRecord(.stepsDone, steps: [steps[0].id]))],
             "\(path):1 is damaged: the first record is a 'steps-done' record, not the journal's beginning"),
            ([try beginning(), try beginning()], "\(path):2 is damaged: a second beginning"),
            ([try beginning(cyclic)], "\(path):1 is damaged: its plan breaks the rules of plans: steps[0].dependsOn: '\(steps[1].id)' is a later step"),
            ([try beginning(forged)], "\(path):1 is damaged: its plan breaks the rules of plans: steps[\(unitStep)].target: "),
            ([try beginning(), "{\"type\": \"steps-done\", \"type\": \"end\", \"time\": \"x\"}"],
             "\(path):2 is damaged: not a journal record (column 24: 'type' is given twice in this object"),
        ]
        for (lines, expected) in cases {
            try journalLines(lines, in: state)
            let text = message { _ = try ApplyJournal.load(in: state) }
            #expect(text?.hasPrefix(expected) == true, "\(text ?? "accepted") -- expected: \(expected)")
            #expect(text?.contains(ApplyJournal.remedy) == false, "the remedy is a hint of its own")
        }
        try Data(Array((try beginning() + "\n").utf8) + [0xFF, 0x0A]).write(to: state.file(ApplyJournal.fileName))
        #expect(message { _ = try ApplyJournal.load(in: state) }?.hasPrefix("\(path):2 is damaged: not a journal record (not UTF-8)") == true)
        // A torn last line is a crash in the middle of a write, not damage.
        try journalLines([try beginning()], in: state)
        let handle = try FileHandle(forWritingTo: state.file(ApplyJournal.fileName))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"type\":\"steps-do".utf8))
        try handle.close()
        #expect(try ApplyJournal.load(in: state)?.records.count == 1)
    }

    @Test func aDamagedInstallManifestIsNamed() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let path = state.file(InstallManifest.fileName).path
        let cases: [(String, String)] = [
            ("{\"schema\": \"sosplan.installed/v1\"", "1:34: unexpected end of JSON in an object"),
            ("{\"schema\": \"sosplan.applied/v1\"}", "not a sosplan.installed/v1 document"),
            (#"{"schema": "sosplan.installed/v1", "at": "x", "files": [{"path": "../etc/passwd", "sha256": "00"}]}"#,
             "files[0].path: '../etc/passwd' is not a path install writes: it must be an absolute path"),
            (#"{"schema": "sosplan.installed/v1", "at": "x", "files": [{"path": "/etc/x", "sha256": "zz"}]}"#,
             "files[0].sha256: 'zz' is not a SHA-256 (64 hex digits)"),
        ]
        for (text, problem) in cases {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            #expect(StateFiles.damages(in: state).map(\.description) == ["\(path) is damaged: \(problem)"])
        }
    }

    /// A state directory that is a symbolic link (or a file) is refused
    /// before anything is written through it: the lock, the caches.
    @Test func aStateDirectoryThatIsALinkOrAFileIsRefusedBeforeAnyWrite() throws {
        let dir = try ScratchDirectory("state-link")
        defer { dir.remove() }
        let elsewhere = dir.path("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path("link").path, withDestinationPath: elsewhere.path)
        #expect(FileManager.default.createFile(atPath: dir.path("file").path, contents: Data("x".utf8)))
        for (name, reason) in [("link", "it is a symbolic link (to \(elsewhere.path)); sosplan writes only into a real directory"),
                               ("file", "it is a file, not a directory")] {
            let state = StateDirectory(path: dir.path(name).path)
            #expect(throws: StateDirectoryRefusal(path: state.url.path, reason: reason)) { try state.checkWritable() }
            let lock = message { _ = try ApplyLock.acquire(in: state, command: "test", timeout: 0) }
            #expect(lock?.hasPrefix("refusing the state directory \(state.url.path): \(reason)") == true, "\(lock ?? "locked")")
            #expect(throws: StateDirectoryRefusal.self) { try state.writeAtomically(Data("{}".utf8), to: "enclaves.json") }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty, "nothing was written through the link")
        // A directory, or none yet, is fine.
        try StateDirectory(path: dir.path("new/state").path).checkWritable()
        try StateDirectory(path: elsewhere.path).checkWritable()
    }

    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch { return "\(error)" }
    }
}
