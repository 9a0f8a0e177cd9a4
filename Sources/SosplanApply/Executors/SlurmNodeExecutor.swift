import FoundationEssentials
import Glibc
import SosplanCore
import SosplanDrivers

/// `slurm.node`: the node's line in sosplan's slurm.conf drop-in, and the
/// daemons restarted so that Slurm 22.05 reads it. The order is the one
/// that never drains the node: slurmd stops first (it must never register
/// fewer CPUs than slurmctld's line says), slurmctld restarts with the new
/// line, slurmd's stale cpusets are widened to the CPUs back online, and
/// slurmd starts and registers what the line says. Running jobs keep
/// running through it (their stepds are not slurmd). Undo writes the old
/// file back and restarts the same way.
struct SlurmNodeExecutor: StepExecutor {
    let host: ApplyHost

    /// The drop-in before the step: its bytes (base64), nil when absent.
    struct FileRecord: Codable {
        var contents: String?
    }

    func capture(_ step: Step) throws(StepFailure) -> StepPrior {
        let (_, file) = try target(step)
        var prior = StepPrior()
        let bytes: [UInt8]?
        do { bytes = try file.read() } catch { throw StepFailure(error.description) }
        try prior.store(FileRecord(contents: bytes.map { Data($0).base64EncodedString() }))
        return prior
    }

    func execute(_ step: Step, prior: StepPrior) throws(StepFailure) -> StepResult {
        let (config, file) = try target(step)
        // The saved plan is untrusted: its line is parsed again, and must be this step's node.
        guard let line = step.after[SlurmNodeStep.lineKey]?.stringValue else { throw StepFailure("step \(step.id) has no node line") }
        let node: SlurmNodeDefinition
        do { node = try SlurmNodeDefinition.parse(fileText: line) } catch {
            throw StepFailure("step \(step.id): the node line is not one sosplan writes: \(error.description)")
        }
        guard case .slurmNode(node.name) = step.target else {
            throw StepFailure("step \(step.id): the line names node \(node.name), the step \(step.target)")
        }
        return StepResult(actions: try restart(config, file: file, bytes: Array(node.fileText.utf8), node: node.name))
    }

    func undo(_ step: Step, prior: StepPrior) throws(StepFailure) -> [String] {
        let (config, file) = try target(step)
        guard let record = prior.stored(FileRecord.self) else { throw StepFailure("the journal holds no record of \(file.path) before the step") }
        let bytes = try record.contents.map { text throws(StepFailure) -> [UInt8] in
            guard let data = Data(base64Encoded: text) else { throw StepFailure("the journal's copy of \(file.path) is damaged") }
            return [UInt8](data)
        }
        let now: [UInt8]?
        do { now = try file.read() } catch { throw StepFailure(error.description) }
        if now == bytes { return [] }
        guard case .slurmNode(let name) = step.target else { throw StepFailure("step \(step.id) names no Slurm node") }
        return try restart(config, file: file, bytes: bytes, node: name)
    }

    /// Writes the file (nil: removes it) and restarts the daemons in order.
    private func restart(_ config: SlurmConfiguration, file: SlurmNodeFile, bytes: [UInt8]?, node: String) throws(StepFailure) -> [String] {
        let daemons = SlurmDaemons(configuration: config)
        var actions: [String] = []
        do {
            try daemons.control(.stop, .slurmd)
            actions.append("stopped slurmd")
            try file.write(bytes)
            actions.append(bytes == nil ? "removed \(file.path)" : "wrote \(file.path)")
            try daemons.control(.restart, .slurmctld)
            actions.append("restarted slurmctld")
            if let root = config.cpusetRoot {
                let widened = try SlurmCpusets(root: root).widen(node: node)
                if !widened.isEmpty { actions.append("widened slurmd's cpusets: " + widened.joined(separator: ", ")) }
            }
            try daemons.control(.start, .slurmd)
            actions.append("started slurmd")
            let state = try daemons.waitSchedulable(node)
            guard let state, state.isSchedulable else {
                throw SlurmError("node \(node) is \(state?.description ?? "not answering") after the restart, not IDLE or ALLOCATED")
            }
            // slurmctld must have read the new line (a slurmctld that did not really restart keeps the old one).
            if let line = bytes.flatMap({ String(validating: $0, as: UTF8.self) }).flatMap({ try? SlurmNodeDefinition.parse(fileText: $0) }) {
                let spec = CPUSet(line.cpuSpecList)
                guard state.cpuTotal == line.cpus, (state.cpuSpecList ?? CPUSet()) == spec else {
                    throw SlurmError(
                        "slurmctld reports CPUTot=\(state.cpuTotal.map(String.init) ?? "?") CPUSpecList=\(state.cpuSpecList?.description ?? "(none)") "
                            + "for node \(node), but the line says CPUs=\(line.cpus) CpuSpecList=\(spec.isEmpty ? "(none)" : spec.description): "
                            + "did slurmctld restart with the drop-in (slurm.conf: Include \(file.path))?")
                }
            }
            actions.append("node \(node) is \(state)")
        } catch {
            throw StepFailure("\(error)" + (actions.isEmpty ? "" : " (after: " + actions.joined(separator: "; ") + ")"))
        }
        return actions
    }

    private func target(_ step: Step) throws(StepFailure) -> (SlurmConfiguration, SlurmNodeFile) {
        guard let config = host.slurm, let path = config.nodeConfig else {
            throw StepFailure("this host has no Slurm node config: run with --slurm-node-config FILE (the drop-in slurm.conf includes)")
        }
        if let named = step.after[SlurmNodeStep.fileKey]?.stringValue, named != path {
            throw StepFailure("step \(step.id) writes \(ControlCharacters.shown(named)), but this host's Slurm node config is \(path)")
        }
        return (config, SlurmNodeFile(path: path))
    }
}
