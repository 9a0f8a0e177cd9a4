import Foundation
import SosplanTestSupport
import Testing

/// sosplan keeps a real Slurm node (scripts/slurm-lab: slurmctld, slurmd and
/// munged from Debian's slurm-wlm 22.05, on this machine's two CPUs) in step
/// with the layout's job partition: jobs run on exactly its CPUs, and the
/// node is never drained or invalid while sosplan moves CPUs, nor when CPU 1
/// really goes offline and comes back under `reconcile --watch`.
@Suite(
    .serialized,
    .enabled(if: SlurmLab.isAvailable, "\(SlurmLab.unavailableReason ?? "")"),
    .enabled(if: LiveCPU.isAvailable, "applies to this machine's CPUs: \(LiveCPU.unavailableReason ?? "")"))
struct SlurmNodeTests {
    /// The host keeps CPU `host`; the job partition `compute` gets the other
    /// one (or, with `min: 0`, shares the host's when CPUs are short).
    static func layout(node: String, host: Int) -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: slurm-node}
        spec:
          policy: {topology: none, smt: threads}
          host:
            cpus: {list: "\(host)"}
          services:
            - name: compute
              cpus: {count: 1, min: 0}
          slurm:
            jobs: compute
            node: \(node)
            features: [lwk]
        """
    }

    /// A private systemd lab, a scratch directory and the shared Slurm node,
    /// whose drop-in is put back afterwards.
    struct Run {
        let slurm: SlurmLab
        let lab: SystemdLab
        let scratch: ScratchDirectory
        let original: String

        init(_ name: String) throws {
            slurm = try SlurmLab.shared()
            lab = try SystemdLab.start(prefix: "slurm")
            scratch = try ScratchDirectory(name)
            original = try String(contentsOfFile: slurm.nodeConfig, encoding: .utf8)
        }

        var environment: [String: String] {
            slurm.sosplanEnvironment.merging([
                "SOSPLAN_SYSTEMD_BUS": lab.busAddress, "SOSPLAN_UNIT_DIR": lab.unitDirectory.path,
                "SOSPLAN_STATE_DIR": scratch.path("state").path,
            ]) { $1 }
        }

        /// Puts the node line back and, when the tests changed it, has the
        /// daemons read it again (the next suite finds the lab as it was).
        func end() {
            lab.stop()
            scratch.remove()
            if (try? String(contentsOfFile: slurm.nodeConfig, encoding: .utf8)) != original {
                try? original.write(toFile: slurm.nodeConfig, atomically: true, encoding: .utf8)
                _ = try? slurm.restartDaemons()
            }
        }
    }

    @Test func jobsRunOnTheJobPartitionAndTheNodeStaysSchedulableWhenItMoves() throws {
        try LiveCPU.withShared {
            try SlurmLab.serial {
                let run = try Run("slurm-node")
                defer { run.end() }
                let (slurm, scratch, env) = (run.slurm, run.scratch, run.environment)

                let sampler = SlurmStateSampler(slurm)
                for (host, jobs) in [(0, "1"), (1, "0"), (0, "1")] {
                    let file = scratch.path("host\(host).yaml")
                    try Self.layout(node: slurm.node, host: host).write(to: file, atomically: true, encoding: .utf8)
                    let r = try CommandRunner.sosplan(["apply", "--yes", file.path], environment: env)
                    try #require(r.status == 0, "apply with the host on CPU \(host): \(r.stdout) \(r.stderr)")
                    #expect(r.stdout.contains("slurm.node"), "\(r.stdout)")
                    let line = try String(contentsOfFile: slurm.nodeConfig, encoding: .utf8)
                    #expect(line.contains("CPUs=2 ") && line.contains("CpuSpecList=\(host) "), "\(line)")
                    #expect(try slurm.nodeField("CPUSpecList") == "\(host)")
                    #expect(try slurm.jobCPUs() == jobs, "a job's Cpus_allowed_list is the job partition")
                    #expect(try slurm.jobCPUs(["--exclusive"]) == jobs, "an exclusive job gets no more than the partition")
                    // IDLE, or IDLE+COMPLETING while the last job's epilog runs.
                    let state = try #require(try slurm.nodeState())
                    #expect(state.hasPrefix("IDLE") && SlurmStateSampler.unschedulable([state]).isEmpty, "node state \(state)")
                }
                // Nothing left to do: the node line is not rewritten, the daemons not restarted.
                let again = try CommandRunner.sosplan(["plan", scratch.path("host0.yaml").path], environment: env)
                #expect(again.status == 0 && !again.stdout.contains("slurm.node"), "\(again.stdout) \(again.stderr)")
                let states = sampler.stop()
                #expect(SlurmStateSampler.unschedulable(states).isEmpty, "states seen while sosplan moved the CPUs: \(states)")
                #expect(states.contains("IDLE"))
            }
        }
    }

    @Test func cpu1OfflineAndBackUnderReconcileWatchNeverDrainsTheNode() throws {
        // The CPU lock before Slurm's, in every suite: the jobs tests hold the
        // CPU lock shared while they wait for Slurm's.
        try LiveCPU.withExclusive { try SlurmLab.serial {
            let run = try Run("slurm-hotplug")
            defer { run.end() }
            let (slurm, scratch, env) = (run.slurm, run.scratch, run.environment)
            let layout = scratch.path("layout.yaml")
            try Self.layout(node: slurm.node, host: 0).write(to: layout, atomically: true, encoding: .utf8)
            let watcher = try BackgroundSosplan(["reconcile", "--watch", layout.path], environment: env, log: scratch.path("watch.log"))
            defer { watcher.stop() }
            #expect(watcher.waitForLog(timeout: 60) { $0.contains("reconcile (first-apply): converged") }, "\(watcher.log)")
            #expect(try slurm.jobCPUs() == "1")

            let sampler = SlurmStateSampler(slurm)
            do {
                defer { LiveCPU.restore() }
                try LiveCPU.set(online: false)
                let shrunk = try Poll.until(timeout: 30, interval: 0.2) { try slurm.nodeField("CPUTot") == "1" }
                #expect(shrunk, "the node line did not follow CPU 1 going offline: \(watcher.log)")
                #expect(watcher.waitForLog(timeout: 30) { $0.components(separatedBy: "converged").count >= 3 }, "\(watcher.log)")
                #expect(try slurm.nodeField("CPUSpecList") == nil || slurm.nodeField("CPUSpecList") == "(null)")
                #expect(try slurm.jobCPUs() == "0", "with CPU 1 gone the jobs share the host's CPU")

                try LiveCPU.set(online: true)
                let grown = try Poll.until(timeout: 30, interval: 0.2) { try slurm.nodeField("CPUTot") == "2" }
                #expect(grown, "the node line did not follow CPU 1 coming back: \(watcher.log)")
                #expect(watcher.waitForLog(timeout: 30) { $0.components(separatedBy: "converged").count >= 4 }, "\(watcher.log)")
            }
            // CPU 1 is back in slurmd's cpusets too (the kernel only gives it back to the root).
            #expect(try slurm.jobCPUs() == "1", "a job runs on the returned CPU: \(watcher.log)")
            #expect(try slurm.nodeField("CPUSpecList") == "0")
            let states = sampler.stop()
            #expect(SlurmStateSampler.unschedulable(states).isEmpty, "states seen through the hotplug: \(states)")
            #expect(!states.contains { $0.contains("DRAIN") || $0.contains("INVALID") }, "\(states)")
            let status = watcher.stop()
            #expect(status == 0, "\(watcher.log)")
        } }
    }
}
