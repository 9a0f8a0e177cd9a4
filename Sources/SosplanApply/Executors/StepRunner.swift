import SosplanCore
import SosplanDrivers

/// Carries out plan steps: a table from each action to the executor of its
/// family (`StepExecutor`), and the batching rule. Never prints; the engine
/// reports.
struct StepRunner {
    let host: ApplyHost

    /// The executor of `action`'s family. What happens when a step runs is
    /// in that one file.
    func executor(for action: StepAction) -> any StepExecutor {
        switch action {
        case .sliceCreate, .sliceUpdate, .sliceRemove: return SliceExecutor(host: host)
        case .unitPlace, .unitRelease: return UnitPlacementExecutor(host: host)
        case .unitCreate, .unitUpdate, .unitRemove: return ExecUnitExecutor(host: host)
        case .containerCreate, .containerUpdate, .containerRemove: return ContainerExecutor(host: host)
        case .hostConfine: return HostConfinementExecutor(host: host)
        case .cpuOffline, .cpuOnline, .memoryOffline, .memoryOnline: return HotplugExecutor(host: host)
        case .hugepagesSet: return HugepageExecutor(host: host)
        case .enclaveCreate, .enclaveGrow, .enclaveShrink, .enclaveDestroy: return EnclaveExecutor(host: host)
        case .kubeletStop, .kubeletClearCPUState, .kubeletStart: return KubeletExecutor(host: host)
        case .irqAffinity: return IRQAffinityExecutor(host: host)
        case .irqDefaultAffinity, .workqueueMask: return KernelMaskExecutor(host: host)
        case .irqbalanceBan, .irqbalanceStop, .irqbalanceStart: return IRQBalanceExecutor(host: host)
        case .cpuidleSet: return CPUIdleExecutor(host: host)
        case .cpufreqSet: return CPUFrequencyExecutor(host: host)
        case .kernelCommandLine: return BootArgumentsExecutor(host: host)
        case .slurmNode: return SlurmNodeExecutor(host: host)
        }
    }

    /// Steps one driver call can make together.
    static func batchable(_ a: StepAction) -> Bool { SliceExecutor.batchedActions.contains(a) }

    /// The priors of one step, or of a batch of batchable steps.
    func capture(_ steps: [Step], known: [String: SystemdUnit] = [:]) throws(StepFailure) -> [StepPrior] {
        if steps.allSatisfy({ Self.batchable($0.action) }) {
            return try SliceExecutor(host: host).capture(steps, known: known)
        }
        var out: [StepPrior] = []
        for step in steps { out.append(try executor(for: step.action).capture(step)) }
        return out
    }

    /// Runs one step, or a batch of batchable steps, and checks them.
    func execute(_ steps: [Step], priors: [StepPrior]) throws(StepFailure) -> [StepResult] {
        if steps.allSatisfy({ Self.batchable($0.action) }) {
            return try SliceExecutor(host: host).execute(steps, priors: priors)
        }
        var out: [StepResult] = []
        for (step, prior) in zip(steps, priors) { out.append(try executor(for: step.action).execute(step, prior: prior)) }
        return out
    }

    /// Puts the step's target back as `prior` recorded it.
    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        try executor(for: step.action).undo(step, prior: prior)
    }
}
