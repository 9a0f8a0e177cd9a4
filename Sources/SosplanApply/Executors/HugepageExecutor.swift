import SosplanCore
import SosplanDrivers

/// `hugepages.set`: one page size's pool on one node, through sysfs. The
/// kernel may make only part of a pool it cannot fully allocate: a failed
/// step puts the old size back before it reports.
struct HugepageExecutor: StepExecutor {
    let host: ApplyHost

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var prior = StepPrior()
        // nil when the pool cannot be read: the step will fail and there is nothing to undo.
        if case .hugepages(let h) = step.target { prior.hugepages = host.hugepages.count(node: h.node, sizeBytes: h.sizeBytes) }
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard case .hugepages(let h) = step.target, let count = step.after["count"]?.intValue, count >= 0 else {
            throw StepFailure("step \(step.id): needs a hugepages target and a count")
        }
        do {
            if try host.hugepages.setCount(count, node: h.node, sizeBytes: h.sizeBytes) { host.counts.wrote() }
        } catch {
            if let old = prior.hugepages, (try? host.hugepages.setCount(old, node: h.node, sizeBytes: h.sizeBytes)) == true {
                host.counts.wrote()
            }
            throw StepFailure(error.description)
        }
        return StepResult(actions: ["set \(ByteSize(h.sizeBytes)) pages on node \(h.node) to \(count)"])
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard case .hugepages(let h) = step.target, let old = prior.hugepages else { return [] }
        do {
            guard try host.hugepages.setCount(old, node: h.node, sizeBytes: h.sizeBytes) else { return [] }
        } catch { throw StepFailure(error.description) }
        host.counts.wrote()
        return ["set \(ByteSize(h.sizeBytes)) pages on node \(h.node) back to \(old)"]
    }
}
