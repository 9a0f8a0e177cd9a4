import SosplanCore
import SosplanDrivers

/// `kernel.cmdline`: sosplan's arguments for the next boot, in the boot
/// loader's drop-in (`GRUBBootArguments`; on the live root GRUB's
/// configuration is regenerated). Never reboots: the step stays in the
/// plan until `/proc/cmdline` shows the arguments.
struct BootArgumentsExecutor: StepExecutor {
    let host: ApplyHost

    struct Prior: Codable {
        var arguments: [String]
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        var prior = StepPrior()
        try prior.store(Prior(arguments: host.kernel.bootArguments.written()))
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        guard host.kernel.bootArguments.isAvailable else {
            throw StepFailure("this host keeps no GRUB configuration (/etc/default/grub) to write kernel arguments to")
        }
        let want = (step.after["arguments"]?.stringValue ?? "").split(separator: " ").map(String.init)
        var actions: [String]
        do { actions = try host.kernel.bootArguments.write(want) } catch { throw StepFailure(error.description) }
        if actions.isEmpty {
            actions = ["\(GRUBBootArguments.dropInPath) already says this; the running kernel takes it at the next boot (sosplan does not reboot)"]
        } else {
            host.counts.wrote()
        }
        guard host.kernel.bootArguments.written() == want else {
            throw StepFailure("after the change, \(GRUBBootArguments.dropInPath) does not hold \(want.joined(separator: " "))")
        }
        return StepResult(actions: actions)
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        guard let before = prior.stored(Prior.self), host.kernel.bootArguments.written() != before.arguments else { return [] }
        do {
            let actions = try host.kernel.bootArguments.write(before.arguments)
            if !actions.isEmpty { host.counts.wrote() }
            return actions
        } catch { throw StepFailure(error.description) }
    }
}
