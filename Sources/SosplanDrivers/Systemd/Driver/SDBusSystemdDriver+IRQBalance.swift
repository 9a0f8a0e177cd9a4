import SosplanCore

extension SDBusSystemdDriver: IRQBalanceControl {
    private var irqbalanceDropIn: String { IRQBalanceDropIn.relativePath }

    public func banIRQBalance(_ cpus: CPUSet) throws(SystemdError) -> SystemdChange {
        let name = try UnitName(IRQBalanceDropIn.unit)
        var actions: [SystemdChange.Action] = []
        if cpus.isEmpty {
            if try unitDirectory.remove(irqbalanceDropIn, unit: name.rawValue) {
                actions.append(.removedFile(unitDirectory.fileURL(irqbalanceDropIn).path))
            }
        } else {
            try requireWritable(irqbalanceDropIn, unit: name)
            actions = try write([(irqbalanceDropIn, try IRQBalanceDropIn.file(banning: cpus))], unit: name)
        }
        if try !reloadIfNeeded([name], changed: [!actions.isEmpty]).isEmpty { actions.append(.reloaded) }
        var state = try observe(name)
        if !actions.isEmpty && isRunning(state) {
            try manager.run(.restart, name)
            actions.append(.restarted)
            state = try observe(name)
        }
        return SystemdChange(unit: name.rawValue, actions: actions, disruption: actions.isEmpty ? .none : .live, state: state)
    }

    public func irqbalanceBan() throws(SystemdError) -> CPUSet? { IRQBalanceDropIn.ban(in: unitDirectory) }

    public func setIRQBalanceRunning(_ running: Bool) throws(SystemdError) -> SystemdChange {
        let name = try UnitName(IRQBalanceDropIn.unit)
        var state = try observe(name)
        guard state.loadState != "not-found" else { throw .noSuchUnit(unit: name.rawValue) }
        var actions: [SystemdChange.Action] = []
        if isRunning(state) != running {
            try manager.run(running ? .start : .stop, name)
            actions.append(running ? .started : .stopped)
            state = try observe(name)
        }
        return SystemdChange(unit: name.rawValue, actions: actions, disruption: actions.isEmpty ? .none : .live, state: state)
    }
}
