import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// An apply that was killed (power cut, OOM, SIGKILL) leaves its journal.
/// The next apply finishes toward a layout by planning from the host as it
/// is (every driver call is idempotent and the planner starts from what it
/// observes), after giving back what the dead apply held for nobody;
/// `apply --rollback` instead undoes its steps from the recorded states.
extension Reconciler {
    /// Makes good what an interrupted apply left, and retires its journal.
    func takeOverInterruptedApply() throws(ApplyFailure) {
        guard let contents = try interruptedApply() else { return }
        events(.interrupted(contents))
        let repairs = repairOrphans(contents, offlinedOnly: true)
        if !repairs.isEmpty { events(.repaired(repairs)) }
        let log: DurableLog
        do { log = try DurableLog(path: contents.path) } catch { throw .journal("cannot reopen \(contents.path): \(error)") }
        var record = JournalRecord(.end)
        record.result = .superseded
        record.actions = repairs.isEmpty ? nil : repairs
        if let line = try? JSONValueEncoder().encode(record) { try? log.append(JSONWriter.compact(line)) }
        try ApplyJournal.archive(in: state)
    }

    /// `apply --rollback`: undoes the interrupted apply's steps, newest
    /// first (the one it was in the middle of included), then checks the
    /// host against the snapshot taken before it started.
    public func rollBackInterruptedApply() throws(ApplyFailure) -> ApplyReport {
        guard let contents = try interruptedApply(), let header = contents.header else {
            if let contents = try interruptedApply(), contents.header == nil {
                try ApplyJournal.archive(in: state)
            }
            throw .nothingToRollBack
        }
        events(.interrupted(contents))
        let start = Date()
        let before = host.mutations
        var report = ApplyReport(outcome: .restored, plan: header.plan)
        let journal: ApplyJournal
        do { journal = try ApplyJournal.reopen(contents.path, in: state) } catch { throw error }
        let engine = ApplyEngine(host: host, journal: journal, events: events, crashPoint: nil)
        var result = ApplyEngine.Result()
        let undone = contents.undoneIDs
        engine.rollBack(contents.begun.filter { !undone.contains($0.step.id) }, into: &result)
        report.undone = result.undone
        report.undoFailures = result.undoFailures
        let repairs = repairOrphans(contents, offlinedOnly: false)
        if !repairs.isEmpty { events(.repaired(repairs)) }
        let left = leftOver(comparedWith: header.priorSnapshot, units: header.unitNames)
        report.left = left
        report.outcome = left.isEmpty ? .restored : .rollbackIncomplete
        try? journal.finish(left.isEmpty ? .rolledBack : .rollbackIncomplete, left: left)
        report.mutations = host.mutations - before
        report.seconds = Date().timeIntervalSince(start)
        events(.finished(report))
        return report
    }

    /// Gives back to Linux what nobody owns because an apply died:
    /// CPUs offline with no enclave or pool holding them (those the apply
    /// offlined, or with `offlinedOnly == false` every one that was online
    /// before it), co-kernel reservations beyond the pool it started with,
    /// and unnamed instances a create left half-made.
    func repairOrphans(_ contents: JournalContents, offlinedOnly: Bool) -> [String] {
        guard let header = contents.header, let now = try? observe(header.unitNames) else { return [] }
        var done: [String] = []
        for (kind, driver) in host.enclaves.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let hadBefore = Set(header.priorSnapshot.enclaves.filter { $0.driver == kind }.map(\.instance))
            for inst in now.enclaves where inst.driver == kind && inst.name == nil && !hadBefore.contains(inst.instance) {
                host.counts.operated()
                do {
                    try driver.destroy(instance: inst.instance)
                    done.append("shut down \(kind.rawValue) instance \(inst.instance), which an interrupted create left")
                } catch {
                    events(.warning("cannot shut down \(kind.rawValue) instance \(inst.instance): \(error.message)"))
                }
            }
            let pool = header.priorSnapshot.enclavePools.first { $0.driver == kind }
            do {
                let released = try driver.releasePool(keeping: pool)
                if !released.isEmpty {
                    host.counts.operated()
                    done.append("released \(released.joined(separator: " and ")) that \(kind.rawValue) held reserved for no enclave")
                }
            } catch {
                events(.warning("cannot release the \(kind.rawValue) pool: \(error.message)"))
            }
        }
        guard let fresh = try? observe(header.unitNames) else { return done }
        var candidates = CPUSet()
        if offlinedOnly {
            for (step, _) in contents.begun where step.action == .cpuOffline {
                candidates.formUnion(step.target.cpus)
            }
        } else {
            candidates = CPUSet(header.priorSnapshot.topology.cpus.filter(\.online).map(\.id))
        }
        let orphaned = CPUSet(fresh.topology.cpus.filter { !$0.online && $0.owner == nil && candidates.contains($0.id) }.map(\.id))
        var onlined = CPUSet()
        for cpu in orphaned {
            do {
                if try host.hotplug.setCPU(cpu, online: true) {
                    host.counts.wrote()
                    onlined.insert(cpu)
                }
            } catch {
                events(.warning("cannot bring CPU \(cpu) back online: \(error.message)"))
            }
        }
        if !onlined.isEmpty { done.append("brought CPUs \(onlined) back online (taken offline for an enclave that never got them)") }
        return done
    }
}

extension ApplyJournal {
    /// Opens an unfinished journal to append the records of its rollback.
    static func reopen(_ path: String, in directory: StateDirectory) throws(ApplyFailure) -> ApplyJournal {
        do { return ApplyJournal(directory: directory, existing: try DurableLog(path: path)) } catch {
            throw .journal("cannot reopen \(path): \(error)")
        }
    }
}
