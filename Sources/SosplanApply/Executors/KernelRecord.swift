import SosplanCore
import SosplanDrivers

/// How kernel executors keep sosplan's record of the values before it
/// changed them (`KernelOriginals`): a value taken over is recorded before
/// the kernel is changed (a crash in between leaves a record of a value
/// the kernel still has, which is harmless), a value put back leaves the
/// record after the change. An undo writes back the whole record the step
/// found (steps undo newest first, so each sees the record it left).
struct KernelRecord {
    let host: ApplyHost

    func read() -> KernelOriginals { host.kernel.record() }

    /// Writes `record`; a failure fails the step (nothing of the kernel changed yet, or it is put back).
    func save(_ record: KernelOriginals) throws(StepFailure) {
        do { try host.kernel.saveRecord(record) } catch {
            throw StepFailure("cannot update sosplan's record of kernel values (\(KernelOriginalsFile.name)): \(error)")
        }
    }

    /// Before changing the kernel: `record` with the takeovers of `final`
    /// added and nothing removed yet.
    static func merged(_ record: KernelOriginals, _ final: KernelOriginals) -> KernelOriginals {
        var out = record
        for held in final.irqs where record.irq(held.irq) == nil { out.setIRQ(held.irq, held) }
        for held in final.idle where record.idle(cpu: held.cpu) == nil { out.setIdle(cpu: held.cpu, held) }
        for held in final.frequency {
            var merged = record.frequency(cpu: held.cpu) ?? HeldFrequency(cpu: held.cpu)
            merged.governor = merged.governor ?? held.governor
            merged.minimum = merged.minimum ?? held.minimum
            merged.maximum = merged.maximum ?? held.maximum
            out.setFrequency(cpu: held.cpu, merged)
        }
        out.defaultIRQAffinity = record.defaultIRQAffinity ?? final.defaultIRQAffinity
        out.workqueueMask = record.workqueueMask ?? final.workqueueMask
        out.irqbalanceStopped = record.irqbalanceStopped ?? final.irqbalanceStopped
        return out
    }
}

extension Step {
    /// `cpuN`/`irqN` keys of a per-object step, with their values.
    func objects(_ prefix: String) throws(StepFailure) -> [(id: Int, value: JSONValue)] {
        var out: [(Int, JSONValue)] = []
        for (key, value) in after.entries {
            guard key.hasPrefix(prefix), let id = Int(key.dropFirst(prefix.count)), id >= 0 else {
                throw StepFailure("step \(self.id): '\(key)' is not a \(prefix)<number> entry")
            }
            out.append((id, value))
        }
        return out
    }
}

extension JSONValue {
    /// A CPU list value of a step.
    func cpuList(_ what: String) throws(StepFailure) -> CPUSet {
        guard let text = stringValue, let set = try? CPUSet(lenientList: text) else {
            throw StepFailure("\(what): '\(JSONWriter.compact(self))' is not a CPU list")
        }
        return set
    }
}
