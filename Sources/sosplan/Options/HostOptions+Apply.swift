import FoundationEssentials
import Glibc
import SosplanApply
import SosplanCore
import SosplanDrivers

/// The host `apply` changes: the same sources `observe` reads, plus the
/// writers (systemd over sd-bus, sysfs under the root, co-kernel tools).
extension HostOptions {
    func makeApplyHost(_ live: LiveHost) throws -> ApplyHost {
        if case .failure(let error)? = live.systemd {
            // Without a named bus a host without systemd still applies
            // kernel and enclave steps; a systemd step then says why it cannot.
            if systemdBus != nil {
                throw Failure.report("cannot connect to systemd at \(systemdBus ?? ""): \(error)",
                                     hint: "is the bus address right? (sandbox: eval \"$(scripts/sandbox env)\")")
            }
            Terminal.err("warning: cannot connect to systemd (\(error)); systemd steps will fail\n")
        }
        return live.applyHost()
    }

    func makeApplyHost() throws -> ApplyHost { try makeApplyHost(liveHost()) }

    /// Changing the real host needs root; a sandbox or a copy of /sys does not.
    func checkMayChangeHost() throws {
        guard observesLiveMachine, geteuid() != 0 else { return }
        throw Failure.report(
            "apply changes this host's CPUs, memory and systemd units, and needs root",
            hint: "run it with sudo, or try it in the sandbox: scripts/sandbox up; eval \"$(scripts/sandbox env)\"")
    }
}
