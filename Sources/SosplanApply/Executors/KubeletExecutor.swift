import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// `kubelet.stop`, `kubelet.clear-cpu-state`, `kubelet.start`: kubelet's
/// documented procedure for a change of its static CPU manager's CPUs,
/// one journalled step each. Undone newest first, a failed restart puts
/// the kubelet back as it was: stopped again, its state file written back
/// byte for byte, started again on the CPUs it had.
struct KubeletExecutor: StepExecutor {
    let host: ApplyHost

    /// The state file before `kubelet.clear-cpu-state`: its bytes
    /// (base64), or nil when there was none.
    struct StateRecord: Codable {
        var contents: String?
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        switch step.action {
        case .kubeletClearCPUState:
            var prior = StepPrior()
            let file = try path(of: step)
            let bytes: [UInt8]?
            do { bytes = try host.kubeletFiles.readState(file) } catch { throw StepFailure(error.description) }
            try prior.store(StateRecord(contents: bytes.map { Data($0).base64EncodedString() }))
            return prior
        default:
            return StepPrior(units: try host.observeUnitsOrFail([step.unit]))
        }
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        switch step.action {
        case .kubeletStop:
            try host.systemdCall { d throws(SystemdError) in try d.stopUnit(step.unit) }
            let state = try host.systemdCall { d throws(SystemdError) in try d.observeUnit(step.unit) }.activeState ?? "unknown"
            guard !["active", "activating", "reloading", "deactivating"].contains(state) else {
                throw StepFailure("after the stop, systemd reports \(step.unit) \(state), not stopped")
            }
            return StepResult(actions: ["stopped \(step.unit)"])
        case .kubeletClearCPUState:
            let file = try path(of: step)
            // Never under a running kubelet: it would write the old state back.
            if let unit = step.before["Unit"]?.stringValue {
                let state = try host.systemdCall { d throws(SystemdError) in try d.observeUnit(unit) }.activeState ?? "unknown"
                guard state != "active" && state != "activating" else {
                    throw StepFailure("\(unit) is \(state): its CPU manager state is removed only while it is stopped")
                }
            }
            do { try host.kubeletFiles.removeState(file) } catch { throw StepFailure(error.description) }
            return StepResult(actions: ["removed \(file)"])
        default:
            try host.systemdCall { d throws(SystemdError) in try d.startUnit(step.unit) }
            try checkStaysActive(step.unit)
            return StepResult(actions: ["started \(step.unit)"])
        }
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        switch step.action {
        case .kubeletClearCPUState:
            guard let record = prior.stored(StateRecord.self) else {
                throw StepFailure("the journal holds no record of \(step.target) before the step")
            }
            let bytes = try record.contents.map { text throws(StepFailure) -> [UInt8] in
                guard let data = Data(base64Encoded: text) else { throw StepFailure("the journal's copy of \(step.target) is damaged") }
                return [UInt8](data)
            }
            let file = try path(of: step)
            do { try host.kubeletFiles.restoreState(file, to: bytes) } catch { throw StepFailure(error.description) }
            return [bytes == nil ? "removed \(file) (there was none)" : "wrote \(file) back"]
        default:
            let wasRunning = prior.unit(step.unit).map { ["active", "activating", "reloading"].contains($0.activeState ?? "") } ?? false
            let now = try host.systemdCall { d throws(SystemdError) in try d.observeUnit(step.unit) }.activeState ?? "unknown"
            let runs = now == "active" || now == "activating"
            if wasRunning && !runs {
                try host.systemdCall { d throws(SystemdError) in try d.startUnit(step.unit) }
                try checkStaysActive(step.unit)
                return ["started \(step.unit)"]
            }
            if !wasRunning && runs {
                try host.systemdCall { d throws(SystemdError) in try d.stopUnit(step.unit) }
                return ["stopped \(step.unit)"]
            }
            return []
        }
    }

    /// The kubelet checks its state file a moment after it starts (the CPU
    /// manager starts with the container manager), and exits when it does
    /// not match: it is watched five times longer than other units settle.
    private func checkStaysActive(_ unit: String) throws(StepFailure) {
        usleep(host.unitWatch.settle * 5)
        for _ in 0..<host.unitWatch.checks {
            let state = try host.systemdCall { d throws(SystemdError) in try d.observeUnit(unit) }.activeState ?? "unknown"
            guard state == "active" else {
                throw StepFailure(
                    "\(unit) did not stay running: a moment after it started it is \(state) (see `journalctl -u \(unit)`)")
            }
            usleep(host.unitWatch.interval)
        }
    }

    private func path(of step: Step) throws(StepFailure) -> String {
        guard case .file(let path) = step.target else { throw StepFailure("step \(step.id): \(step.target) names no file") }
        return path
    }
}
