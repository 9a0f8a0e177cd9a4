import SosplanCore
import SosplanDrivers

/// `irqbalance.ban`: sosplan's drop-in giving irqbalance the isolated CPUs
/// to leave alone (restarted when it runs); `irqbalance.stop` and
/// `irqbalance.start`: stopping it while CPUs are isolated, and starting it
/// again afterwards when sosplan was the one that stopped it.
struct IRQBalanceExecutor: StepExecutor {
    let host: ApplyHost

    struct Prior: Codable {
        var ban: CPUSet?
        var running: Bool
        var record: KernelOriginals
    }

    private func control() throws(StepFailure) -> any IRQBalanceControl {
        guard let c = try host.systemdControl() as? any IRQBalanceControl else {
            throw StepFailure("this systemd connection cannot change irqbalance's unit")
        }
        return c
    }

    private func running(_ unit: SystemdUnit) -> Bool { ["active", "activating", "reloading"].contains(unit.activeState ?? "") }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        let c = try control()
        let ban: CPUSet?
        do { ban = try c.irqbalanceBan() } catch { throw StepFailure("cannot read irqbalance's drop-in: \(error)") }
        let unit = try host.observeUnitsOrFail([IRQBalanceDropIn.unit])[0]
        var prior = StepPrior(units: [unit])
        try prior.store(Prior(ban: ban, running: running(unit), record: KernelRecord(host: host).read()))
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard let before = prior.stored(Prior.self) else { throw StepFailure("step \(step.id): no state recorded before it") }
        let c = try control()
        switch step.action {
        case .irqbalanceBan:
            guard let value = step.after["bannedCPUs"] else { throw StepFailure("step \(step.id) names no bannedCPUs") }
            let want = try value.cpuList("step \(step.id) bannedCPUs")
            let change: SystemdChange
            do { change = try c.banIRQBalance(want) } catch { throw StepFailure("\(error)") }
            let now = (try? c.irqbalanceBan()) ?? nil
            guard (now ?? CPUSet()) == want else {
                throw StepFailure("after the change, irqbalance's drop-in bans \(now?.description ?? "nothing"), not \(want)")
            }
            return StepResult(actions: change.actions.map(\.description), observed: change.state)
        case .irqbalanceStop, .irqbalanceStart:
            let start = step.action == .irqbalanceStart
            var record = before.record
            let record0 = record
            record.irqbalanceStopped = start ? nil : (before.running ? true : record.irqbalanceStopped)
            if !start { try KernelRecord(host: host).save(record) }
            let change: SystemdChange
            do { change = try c.setIRQBalanceRunning(start) } catch {
                if !start { try? KernelRecord(host: host).save(record0) }
                throw StepFailure("\(error)")
            }
            guard running(change.state) == start else {
                throw StepFailure("after the change, \(IRQBalanceDropIn.unit) is \(change.state.activeState ?? "in an unknown state")")
            }
            if start { try KernelRecord(host: host).save(record) }
            return StepResult(actions: change.actions.map(\.description), observed: change.state)
        default:
            throw StepFailure("step \(step.id): \(step.action.rawValue) is not an irqbalance step")
        }
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.stored(Prior.self) else { return [] }
        let c = try control()
        var actions: [String] = []
        do {
            switch step.action {
            case .irqbalanceBan:
                if (try c.irqbalanceBan()) != before.ban {
                    actions += try c.banIRQBalance(before.ban ?? CPUSet()).actions.map(\.description)
                }
                // A restart with the ban that failed left it stopped: it ran before.
                if before.running {
                    actions += try c.setIRQBalanceRunning(true).actions.map(\.description)
                }
            default:
                actions += try c.setIRQBalanceRunning(before.running).actions.map(\.description)
            }
        } catch { throw StepFailure("\(error)") }
        try KernelRecord(host: host).save(before.record)
        return actions
    }
}
