import SosplanCore
import SosplanDrivers

/// `cpu.offline`, `cpu.online`, `memory.offline`, `memory.online`: Linux
/// hotplug through sysfs. CPUs and memory blocks are the same flip of an
/// `online` attribute per id, done by `HotplugFlip`; a step that fails
/// part-way puts back what it changed before it reports the failure.
struct HotplugExecutor: StepExecutor {
    let host: ApplyHost

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var prior = StepPrior()
        switch step.target {
        case .cpus(let cpus): prior.onlineCPUs = CPUSet(cpus.filter { host.hotplug.isCPUOnline($0) })
        case .memoryBlocks(let blocks): prior.onlineBlocks = IDSet(blocks.filter { host.hotplug.isMemoryBlockOnline($0) == true })
        default: throw StepFailure("step \(step.id): \(step.target) is not a CPU or memory block list")
        }
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        let online = step.action == .cpuOnline || step.action == .memoryOnline
        let (flip, ids) = try device(step)
        let changed = try flip.set(ids, to: { _ in online }, putBackOnFailure: true)
        if case .cpus(let cpus) = step.target {
            let wrong = cpus.filter { host.hotplug.isCPUOnline($0) != online }
            guard wrong.isEmpty else {
                throw StepFailure("after the change, CPUs \(CPUSet(wrong)) are still \(online ? "offline" : "online")")
            }
        }
        guard !changed.isEmpty else { return StepResult() }
        return StepResult(actions: ["\(online ? "onlined" : "offlined") \(flip.plural) \(IDSet(changed))"])
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let (flip, ids) = try device(step)
        guard let wasOnline = step.action == .cpuOffline || step.action == .cpuOnline ? prior.onlineCPUs : prior.onlineBlocks
        else { return [] }
        let changed = try flip.set(ids, to: { wasOnline.contains($0) }, putBackOnFailure: false)
        return changed.map { flip.restored($0, wasOnline.contains($0)) }
    }

    private func device(_ step: Step) throws(StepFailure) -> (HotplugFlip, IDSet) {
        let hotplug = host.hotplug, counts = host.counts
        switch step.target {
        case .cpus(let cpus):
            let flip = HotplugFlip(
                plural: "CPUs", counts: counts, write: { id, on throws(EnclaveError) in try hotplug.setCPU(id, online: on) },
                restored: { id, on in "\(on ? "onlined" : "offlined") CPU \(id)" })
            return (flip, cpus)
        case .memoryBlocks(let blocks):
            let flip = HotplugFlip(
                plural: "memory blocks", counts: counts,
                write: { id, on throws(EnclaveError) in try hotplug.setMemoryBlock(id, online: on) },
                restored: { id, on in "memory block \(id) \(on ? "online" : "offline") again" })
            return (flip, blocks)
        default:
            throw StepFailure("step \(step.id): \(step.target) is not a CPU or memory block list")
        }
    }
}

/// Flips the `online` attribute of ids one by one (each write counted), and
/// when a write fails, optionally flips back the ones it changed, newest first.
struct HotplugFlip {
    var plural: String
    var counts: MutationCounts
    /// Writes one id's state; true when it changed.
    var write: (Int, Bool) throws(EnclaveError) -> Bool
    /// How an undo reports one id put back.
    var restored: (Int, Bool) -> String

    /// Sets each of `ids` to `want(id)`; returns the ids it changed.
    func set(_ ids: IDSet, to want: (Int) -> Bool, putBackOnFailure: Bool) throws(StepFailure) -> [Int] {
        var changed: [Int] = []
        for id in ids {
            do {
                if try write(id, want(id)) {
                    counts.wrote()
                    changed.append(id)
                }
            } catch {
                if putBackOnFailure {
                    for c in changed.reversed() where (try? write(c, !want(c))) == true { counts.wrote() }
                }
                throw StepFailure(error.message)
            }
        }
        return changed
    }
}
