import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing
@testable import SosplanApply

/// The apply journal: written record by record, read back after a crash,
/// moved aside when the apply ends.
@Suite struct ApplyJournalTests {
    static let host = SyntheticHost.snapshot(packages: 2, coresPerNode: 4, threadsPerCore: 2, memoryPerNode: 16 << 30)

    /// A real plan with several steps (an enclave and a service).
    static let plan: Plan = {
        let layout = HostLayout(
            file: "t.yaml", metadata: LayoutMetadata(name: "t"), host: HostReservation(cpus: .count(CPURequest(count: 2))),
            enclaves: [EnclaveSpec(
                name: "lwk0", driver: .mckernel, args: "hidos", cpus: .count(CPURequest(count: 4, numa: [1])),
                memory: [MemoryRequest(size: .gib(2), numa: 1)])],
            services: [ServiceSpec(name: "web", units: ["nginx.service"], cpus: .count(CPURequest(count: 2, numa: [0])))])
        return Planner(layout: layout, snapshot: host, capabilities: EnclaveCapabilities.known).plan().plan!
    }()

    static func header(_ plan: Plan = plan) -> JournalHeader {
        JournalHeader(
            id: "apply-1", startedAt: Timestamp.now(), pid: getpid(), command: "sosplan apply t.yaml", trigger: "cli",
            hostname: "synthetic", layout: JournalLayout(file: "t.yaml", text: "apiVersion: sosplan/v1\n"),
            unitNames: ["nginx.service"], plan: plan, priorSnapshot: host)
    }

    func scratch() throws -> (ScratchDirectory, StateDirectory) {
        let dir = try ScratchDirectory("journal")
        return (dir, StateDirectory(path: dir.path("state").path))
    }

    func begun(_ ids: [String]) -> JournalRecord {
        var r = JournalRecord(.stepsBegun, steps: ids)
        r.priors = ids.map { _ in StepPrior() }
        return r
    }

    func reconciler(_ state: StateDirectory, root: String) -> Reconciler {
        struct NoObserving: Error {}
        let host = ApplyHost(
            systemd: nil, root: root, enclaves: [], capabilities: EnclaveCapabilities.known,
            launchers: LauncherPaths(toolsDirectory: nil), observe: { _ in throw NoObserving() })
        return Reconciler(host: host, state: state, options: ApplyOptions(command: "test"), events: { _ in })
    }

    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch { return "\(error)" }
    }

    @Test func planHasSeveralSteps() {
        #expect(Self.plan.steps.count >= 3, "\(PlanFormatter.text(Self.plan))")
    }

    @Test func beginWritesTheHeaderAndReadsBack() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        #expect(journal.path == state.file(ApplyJournal.fileName).path)
        let contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.path == journal.path)
        #expect(contents.records.map(\.type) == [.begin])
        let header = try #require(contents.header)
        #expect(header.id == "apply-1" && header.pid == getpid() && header.command == "sosplan apply t.yaml")
        #expect(header.plan == Self.plan)
        #expect(header.priorSnapshot == Self.host)
        #expect(header.layout?.sha256 == "sha256:" + SHA256.hex("apiVersion: sosplan/v1\n".utf8))
        #expect(!contents.isFinished)
        #expect(contents.begun.isEmpty && contents.doneIDs.isEmpty && contents.interruptedIDs.isEmpty)
        #expect(contents.progress == "after 0 of \(Self.plan.steps.count) steps")
    }

    @Test func noJournalReadsAsNil() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        #expect(try ApplyJournal.read(in: state) == nil)
        #expect(try reconciler(state, root: dir.url.path).interruptedApply() == nil)
    }

    @Test func recordsSayWhatWasDoneAndWhereTheApplyStopped() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let steps = Self.plan.steps
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        try journal.append(begun([steps[0].id]))
        try journal.append(JournalRecord(.stepsDone, steps: [steps[0].id]))
        try journal.append(begun([steps[1].id]))
        let contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.records.map(\.type) == [.begin, .stepsBegun, .stepsDone, .stepsBegun])
        #expect(contents.begun.map(\.step) == [steps[0], steps[1]])
        #expect(contents.doneIDs == [steps[0].id])
        #expect(contents.interruptedIDs == [steps[1].id])
        #expect(!contents.isFinished)
        #expect(contents.progress
            == "during step 2 of \(steps.count) (\(steps[1].action.rawValue) \(steps[1].target)), after 1 done")

        // An unfinished journal is what the reconciler reports as interrupted.
        let interrupted = try #require(try reconciler(state, root: dir.url.path).interruptedApply())
        #expect(interrupted.interruptedIDs == [steps[1].id])
    }

    @Test func failedStepsAreNotInterrupted() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let steps = Self.plan.steps
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        try journal.append(begun([steps[0].id, steps[1].id]))
        try journal.append(JournalRecord(.stepsDone, steps: [steps[0].id]))
        var failed = JournalRecord(.stepsFailed, steps: [steps[1].id])
        failed.error = "boom"
        try journal.append(failed)
        let contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.interruptedIDs.isEmpty)
        #expect(contents.records.last?.error == "boom")
        #expect(contents.progress == "after 1 of \(steps.count) steps")
    }

    @Test func progressDuringRollback() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let steps = Self.plan.steps
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        try journal.append(begun([steps[0].id]))
        try journal.append(JournalRecord(.stepsDone, steps: [steps[0].id]))
        try journal.append(begun([steps[1].id]))
        try journal.append(JournalRecord(.undoBegun, steps: [steps[0].id]))
        var contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.progress == "while rolling back (0 of 2 steps undone)")
        try journal.append(JournalRecord(.undoDone, steps: [steps[0].id]))
        contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.undoneIDs == [steps[0].id])
        #expect(contents.progress == "while rolling back (1 of 2 steps undone)")
    }

    @Test func tornLastLineIsDropped() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let steps = Self.plan.steps
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        try journal.append(begun([steps[0].id]))
        // A crash half-way through writing the next record.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"type\":\"steps-done\",\"time\":\"2026-".utf8))
        try handle.close()
        let contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.records.map(\.type) == [.begin, .stepsBegun])
        #expect(contents.interruptedIDs == [steps[0].id])
    }

    @Test func completeLineThatIsNotARecordIsAnErrorNamingTheLine() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        let log = try DurableLog(path: journal.path)
        try log.append("{\"type\":\"no-such-kind\",\"time\":\"x\"}")
        let text = message { _ = try ApplyJournal.read(in: state) }
        #expect(text?.hasPrefix("\(journal.path):2 is damaged: not a journal record") == true, "\(text ?? "no error")")
        #expect(text?.contains("move the file aside") == true)
    }

    @Test func emptyJournalHasNoHeader() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        // A crash between creating the file and writing its first record.
        _ = try DurableLog(path: state.file(ApplyJournal.fileName).path)
        let contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.header == nil && contents.records.isEmpty)
        #expect(contents.progress == "before its first step")
        #expect(contents.begun.isEmpty)
    }

    @Test func beginRefusesWhileAnUnfinishedJournalIsThere() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        _ = try ApplyJournal.begin(in: state, header: Self.header())
        let text = message { _ = try ApplyJournal.begin(in: state, header: Self.header()) }
        #expect(text?.contains("an unfinished apply journal is in the way") == true, "\(text ?? "no error")")
        #expect(text?.contains(state.file(ApplyJournal.fileName).path) == true)
        // The first journal is untouched.
        #expect(try ApplyJournal.read(in: state)?.records.count == 1)
    }

    @Test func finishMovesTheJournalAside() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let steps = Self.plan.steps
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        try journal.append(begun(steps.map(\.id)))
        try journal.append(JournalRecord(.stepsDone, steps: steps.map(\.id)))
        try journal.finish(.rollbackIncomplete, left: ["CPU 5 is offline"])
        #expect(!FileManager.default.fileExists(atPath: state.file(ApplyJournal.fileName).path))
        #expect(try ApplyJournal.read(in: state) == nil)
        #expect(try reconciler(state, root: dir.url.path).interruptedApply() == nil)

        let last = try #require(try ApplyJournal.read(in: state, name: ApplyJournal.lastFileName))
        #expect(last.isFinished)
        #expect(last.records.last?.type == .end)
        #expect(last.records.last?.result == .rollbackIncomplete)
        #expect(last.records.last?.left == ["CPU 5 is offline"])
        #expect(last.doneIDs == Set(steps.map(\.id)))
        #expect(last.interruptedIDs.isEmpty)

        // The next apply can begin; the one after replaces last-apply.jsonl.
        let next = try ApplyJournal.begin(in: state, header: Self.header())
        try next.finish(.converged)
        let replaced = try #require(try ApplyJournal.read(in: state, name: ApplyJournal.lastFileName))
        #expect(replaced.records.map(\.type) == [.begin, .end])
        #expect(replaced.records.last?.result == .converged && replaced.records.last?.left == nil)
    }

    @Test func finishedJournalLeftInPlaceIsArchivedNotInterrupted() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        // A crash after the end record and before the move.
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        var end = JournalRecord(.end)
        end.result = .converged
        try journal.append(end)
        #expect(try ApplyJournal.read(in: state)?.isFinished == true)
        #expect(try reconciler(state, root: dir.url.path).interruptedApply() == nil)
        #expect(!FileManager.default.fileExists(atPath: state.file(ApplyJournal.fileName).path))
        #expect(try ApplyJournal.read(in: state, name: ApplyJournal.lastFileName)?.isFinished == true)
    }

    @Test func recordsOfStepsNotInThePlanAreIgnored() throws {
        let (dir, state) = try scratch()
        defer { dir.remove() }
        let journal = try ApplyJournal.begin(in: state, header: Self.header())
        try journal.append(begun(["no-such-step", Self.plan.steps[0].id]))
        let contents = try #require(try ApplyJournal.read(in: state))
        #expect(contents.begun.map(\.step.id) == [Self.plan.steps[0].id])
        #expect(contents.interruptedIDs == [Self.plan.steps[0].id])
    }
}
