import SosplanCore
import SosplanDrivers

/// cpu.*, memory.* and hugepages.set through sysfs. A step that fails
/// part-way puts back what it changed before it reports the failure.
extension StepRunner {
    func setCPUs(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .cpus(let cpus) = try StepTarget.parse(step) else { throw StepFailure("step \(step.id): not a CPU step") }
        let online = step.action == .cpuOnline
        var changed: [Int] = []
        for cpu in cpus {
            do {
                if try host.hotplug.setCPU(cpu, online: online) {
                    host.counts.wrote()
                    changed.append(cpu)
                }
            } catch {
                for c in changed.reversed() where (try? host.hotplug.setCPU(c, online: !online)) == true { host.counts.wrote() }
                throw StepFailure(error.message)
            }
        }
        let wrong = cpus.filter { host.hotplug.isCPUOnline($0) != online }
        guard wrong.isEmpty else {
            throw StepFailure("after the change, CPUs \(CPUSet(wrong)) are still \(online ? "offline" : "online")")
        }
        return StepResult(actions: changed.isEmpty ? [] : ["\(online ? "onlined" : "offlined") CPUs \(CPUSet(changed))"])
    }

    func undoCPUs(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard case .cpus(let cpus) = try StepTarget.parse(step), let wasOnline = prior.onlineCPUs else { return [] }
        var done: [String] = []
        for cpu in cpus {
            let want = wasOnline.contains(cpu)
            do {
                if try host.hotplug.setCPU(cpu, online: want) {
                    host.counts.wrote()
                    done.append("\(want ? "onlined" : "offlined") CPU \(cpu)")
                }
            } catch { throw StepFailure(error.message) }
        }
        return done
    }

    func setMemoryBlocks(_ step: Step) throws(StepFailure) -> StepResult {
        guard case .memoryBlocks(let blocks) = try StepTarget.parse(step) else { throw StepFailure("step \(step.id): not a memory step") }
        let online = step.action == .memoryOnline
        var changed: [Int] = []
        for block in blocks {
            do {
                if try host.hotplug.setMemoryBlock(block, online: online) {
                    host.counts.wrote()
                    changed.append(block)
                }
            } catch {
                for b in changed.reversed() where (try? host.hotplug.setMemoryBlock(b, online: !online)) == true { host.counts.wrote() }
                throw StepFailure(error.message)
            }
        }
        return StepResult(actions: changed.isEmpty ? [] : ["\(online ? "onlined" : "offlined") memory blocks \(IDSet(changed))"])
    }

    func undoMemoryBlocks(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard case .memoryBlocks(let blocks) = try StepTarget.parse(step), let wasOnline = prior.onlineBlocks else { return [] }
        var done: [String] = []
        for block in blocks {
            do {
                if try host.hotplug.setMemoryBlock(block, online: wasOnline.contains(block)) {
                    host.counts.wrote()
                    done.append("memory block \(block) \(wasOnline.contains(block) ? "online" : "offline") again")
                }
            } catch { throw StepFailure(error.message) }
        }
        return done
    }

    func setHugepages(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard case .hugepages(let h) = try StepTarget.parse(step), let count = step.after["count"]?.intValue, count >= 0 else {
            throw StepFailure("step \(step.id): needs a hugepages target and a count")
        }
        do {
            if try host.hugepages.setCount(count, node: h.node, sizeBytes: h.sizeBytes) { host.counts.wrote() }
        } catch {
            // The kernel may have made part of the pool: put the old size back.
            if let old = prior.hugepages, (try? host.hugepages.setCount(old, node: h.node, sizeBytes: h.sizeBytes)) == true {
                host.counts.wrote()
            }
            throw StepFailure(error.description)
        }
        return StepResult(actions: ["set \(ByteSize(h.sizeBytes)) pages on node \(h.node) to \(count)"])
    }

    func undoHugepages(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard case .hugepages(let h) = try StepTarget.parse(step), let old = prior.hugepages else { return [] }
        do {
            guard try host.hugepages.setCount(old, node: h.node, sizeBytes: h.sizeBytes) else { return [] }
        } catch { throw StepFailure(error.description) }
        host.counts.wrote()
        return ["set \(ByteSize(h.sizeBytes)) pages on node \(h.node) back to \(old)"]
    }
}
