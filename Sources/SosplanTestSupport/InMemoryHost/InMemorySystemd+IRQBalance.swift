import SosplanCore
import SosplanDrivers

/// irqbalance's drop-in and jobs, as the driver makes them: the drop-in
/// rendered by the real `IRQBalanceDropIn`, a reload, a restart when it runs.
extension InMemorySystemd: IRQBalanceControl {
    public func banIRQBalance(_ cpus: CPUSet) throws(SystemdError) -> SystemdChange {
        let name = IRQBalanceDropIn.unit, relative = IRQBalanceDropIn.relativePath
        var actions: [SystemdChange.Action]
        if cpus.isEmpty {
            actions = try remove(relative, unit: name)
        } else {
            let text = try IRQBalanceDropIn.file(banning: cpus).render()
            actions = try write(relative, File(unit: name, kind: .irqbalanceBan, text: text))
        }
        if try !reloadIfNeeded([name], changed: [!actions.isEmpty]).isEmpty { actions.append(.reloaded) }
        if !actions.isEmpty, isRunning(unit(name)) {
            try job(.restart, name)
            actions.append(.restarted)
        }
        return SystemdChange(unit: name, actions: actions, disruption: actions.isEmpty ? .none : .live, state: unit(name))
    }

    public func irqbalanceBan() throws(SystemdError) -> CPUSet? {
        state.files[IRQBalanceDropIn.relativePath].flatMap { IRQBalanceDropIn.bannedCPUs(in: $0.text) }
    }

    public func setIRQBalanceRunning(_ running: Bool) throws(SystemdError) -> SystemdChange {
        let name = IRQBalanceDropIn.unit
        guard unit(name).loadState != "not-found" else { throw .noSuchUnit(unit: name) }
        var actions: [SystemdChange.Action] = []
        if isRunning(unit(name)) != running {
            try job(running ? .start : .stop, name)
            actions.append(running ? .started : .stopped)
        }
        return SystemdChange(unit: name, actions: actions, disruption: actions.isEmpty ? .none : .live, state: unit(name))
    }
}
