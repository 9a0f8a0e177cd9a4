import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Per-job enclaves under a REAL Slurm (scripts/slurm-lab: slurm-wlm 22.05,
/// whose node offers feature `lwk`): the lab's Prolog/Epilog run
/// `sosplan job prolog|epilog` against the simulated co-kernels, exactly as
/// slurm.conf's `Prolog=`/`Epilog=` would on a real node. The enclave is
/// seen in the simulator's own state from inside the job's step, and the
/// simulator's audit says what is left afterwards.
@Suite(.serialized, .enabled(if: SlurmLab.isAvailable, "\(SlurmLab.unavailableReason ?? "")"))
struct SlurmLWKJobTests {
    /// The Slurm lab with sosplan's scripts in its prolog.d/epilog.d, removed again by `end`.
    final class Run {
        let slurm: SlurmLab
        let host: LWKJobHost
        let log: String
        let scripts: [String]
        /// slurmd's log as long as it was when this run began (the lab is shared).
        let slurmdLogStart: Int

        init(_ name: String) throws {
            slurm = try SlurmLab.shared()
            slurmdLogStart = (try? FileManager.default.attributesOfItem(atPath: slurm.directory + "/log/slurmd.log")[.size] as? Int) ?? 0
            host = try LWKJobHost(name)
            log = host.scratch.path("job.log").path
            let sosplan = RepositoryPaths.product("sosplan").path
            let words = [sosplan, host.layout, host.root, host.tools, host.state, log]
            // The paths go into a shell script: only plain characters, in single quotes.
            for w in words where !w.allSatisfy({ $0.isLetter || $0.isNumber || "/._-".contains($0) }) {
                throw LWKJobHost.Failure(description: "unexpected character in \(w)")
            }
            var made: [String] = []
            for half in ["prolog", "epilog"] {
                let script = "\(slurm.directory)/\(half).d/50-sosplan-lwk"
                let args = (["job", half] + host.options + ["--lock-timeout", "60"]).map { "'\($0)'" }.joined(separator: " ")
                // stdout to the test's log; stderr to slurmd, which logs a failing script's output.
                try "#!/bin/sh\nexec '\(sosplan)' \(args) >>'\(log)'\n".write(toFile: script, atomically: true, encoding: .utf8)
                chmod(script, 0o755)
                made.append(script)
            }
            scripts = made
        }

        /// Waits for every job and its epilog to finish (the scripts need the
        /// scratch files), then takes sosplan's scripts out of the lab.
        func end() {
            Poll.until(timeout: 60, interval: 0.2) {
                let queue = (try? slurm.run("squeue", ["-h"]).stdout) ?? ""
                let state = ((try? slurm.nodeState()) ?? nil) ?? ""
                return queue.isEmpty && !state.contains("COMPLETING")
            }
            for s in scripts { unlink(s) }
        }

        /// What slurmd logged during this run (a failing prolog's output).
        var slurmdLog: String {
            guard let data = FileManager.default.contents(atPath: slurm.directory + "/log/slurmd.log") else { return "" }
            return String(decoding: data.dropFirst(slurmdLogStart), as: UTF8.self)
        }

        var jobLog: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// `sbatch` a job; its id.
        func submit(_ extra: [String], sleep seconds: Int) throws -> String {
            let out = host.scratch.path("job-%j.out").path
            let r = try slurm.run("sbatch", ["-n1", "--time=5", "-o", out] + extra + ["--wrap", "sleep \(seconds)"])
            let id = r.stdout.split(separator: " ").last.map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            guard r.status == 0, LWKJobRequest.jobID(id) != nil else {
                throw LWKJobHost.Failure(description: "sbatch: \(r.stdout) \(r.stderr)")
            }
            return id
        }

        /// The simulator's state as a job step saw it. The step copies it to a
        /// file rather than printing it: srun once returned 0 with none of a
        /// step's output forwarded (a step that ends at once).
        func stepCopyOfSimulatorState(_ extra: [String]) throws -> String {
            let copy = host.scratch.path("step-\(UUID().uuidString).json").path
            let r = try slurm.run("srun", ["-n1", "--time=1"] + extra + ["cp", host.root + "/.sosplan-sim/state.json", copy])
            try #require(r.status == 0, "srun: \(r.stderr) \(jobLog)")
            return try String(contentsOfFile: copy, encoding: .utf8)
        }

        /// `JobState=` of a job, or nil once slurmctld has forgotten it.
        func jobState(_ id: String) throws -> String? {
            let r = try slurm.run("squeue", ["-h", "-j", id, "-o", "%T"])
            let state = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return state.isEmpty ? nil : state
        }

        /// Nothing left: no enclave, nothing withheld or stranded, no offline CPU, no record.
        func leftOver() throws -> [String] {
            var out = try host.audit()
            let oses = try host.ihkOSCPUs()
            if !oses.isEmpty { out.append("IHK OSes on CPUs \(oses)") }
            if !host.offlineCPUs().isEmpty { out.append("offline CPUs \(host.offlineCPUs())") }
            if try !host.recordedJobs().isEmpty { out.append("job records left") }
            return out
        }

        func waitUntilClean(timeout: Double = 60) -> Bool {
            Poll.until(timeout: timeout, interval: 0.2) { (try? leftOver().isEmpty) ?? false }
        }

        /// Makes the running daemons match the lab's node line (another test
        /// may have left slurmctld with a `CpuSpecList` its file no longer
        /// has), so that both CPUs take jobs; the CPUs Slurm gives jobs.
        func jobCPUs() throws -> Int {
            if Int((try slurm.nodeField("CPUEfctv")) ?? "") ?? 0 < 2 { try slurm.restartDaemons() }
            return Int((try slurm.nodeField("CPUEfctv")) ?? "") ?? 0
        }

        func waitForNodeIdle() -> Bool {
            Poll.until(timeout: 60, interval: 0.2) { ((try? slurm.nodeState()) ?? nil) == "IDLE" }
        }
    }

    @Test func anLWKJobGetsAnEnclaveInItsPrologAndLosesItInItsEpilog() throws {
        // Real CPU hotplug tests (exclusive lock) restart Slurm's daemons: not while our jobs run.
        try LiveCPU.withShared { try SlurmLab.serial {
            let run = try Run("slurm-lwk")
            defer { run.end() }
            // The job's step copies the simulator's state while it runs: the enclave is there.
            let seen = try run.stepCopyOfSimulatorState(["--constraint=lwk"])
            let during = try JSONParser.parse(seen)
            let oses = try #require(LWKJobHost.ihkOSCPUs(in: during), "no IHK state in the step's view: \(seen)")
            #expect(oses == [CPUSet([4])], "\(seen)")
            #expect(run.jobLog.contains("booted (mckernel, CPUs 4"), "\(run.jobLog)")
            // The epilog runs after the step ends.
            #expect(run.waitUntilClean(), "\((try? run.leftOver()) ?? []) \(run.jobLog)")
            #expect(run.jobLog.contains("destroyed; CPUs 4 back with Linux"), "\(run.jobLog)")
            #expect(run.waitForNodeIdle())
        } }
    }

    @Test func aJobWithoutTheConstraintGetsNoEnclave() throws {
        // Real CPU hotplug tests (exclusive lock) restart Slurm's daemons: not while our jobs run.
        try LiveCPU.withShared { try SlurmLab.serial {
            let run = try Run("slurm-nolwk")
            defer { run.end() }
            let seen = try run.stepCopyOfSimulatorState([])
            #expect(try JSONParser.parse(seen)["ihk"]?["oses"] == .array([]), "\(seen)")
            #expect(run.jobLog.contains("no LWK asked for"), "\(run.jobLog)")
        } }
    }

    @Test func scancelOfARunningLWKJobLeavesNothing() throws {
        // Real CPU hotplug tests (exclusive lock) restart Slurm's daemons: not while our jobs run.
        try LiveCPU.withShared { try SlurmLab.serial {
            let run = try Run("slurm-scancel")
            defer { run.end() }
            let id = try run.submit(["--constraint=lwk"], sleep: 300)
            let up = Poll.until(timeout: 60, interval: 0.2) {
                (try? run.jobState(id)) == "RUNNING" && ((try? run.host.ihkOSCPUs()) ?? []) == [CPUSet([4])]
            }
            #expect(up, "job \(id): \(String(describing: try? run.jobState(id))) \(run.jobLog)")
            #expect(run.host.offlineCPUs() == CPUSet([4]))
            #expect(try run.slurm.run("scancel", [id]).status == 0)
            #expect(run.waitUntilClean(), "\((try? run.leftOver()) ?? []) \(run.jobLog)")
            #expect(Poll.until(timeout: 30, interval: 0.2) { (try? run.jobState(id)) == nil })
            #expect(run.waitForNodeIdle())
        } }
    }

    /// McKernel boots one OS per device: of two LWK jobs that start at once
    /// one gets it; the other's prolog refuses with the reason (Slurm then
    /// requeues and holds that job and drains the node: "Prolog error").
    @Test(.enabled(if: LiveCPU.isAvailable, "needs both real CPUs online: \(LiveCPU.unavailableReason ?? "")"))
    func twoLWKJobsAtOnceOneIsRefusedWithTheReason() throws {
        try LiveCPU.withShared { try SlurmLab.serial {
            let run = try Run("slurm-two")
            // Two one-CPU jobs run at once only when Slurm gives jobs both CPUs.
            let cpus = try run.jobCPUs()
            try #require(cpus == 2, "Slurm gives jobs \(cpus) CPUs: \((try? String(contentsOfFile: run.slurm.nodeConfig, encoding: .utf8)) ?? "")")
            defer {
                run.end()
                _ = try? run.slurm.run("scontrol", ["update", "nodename=\(run.slurm.node)", "state=resume"])
            }
            let first = try run.submit(["--constraint=lwk"], sleep: 300)
            let second = try run.submit(["--constraint=lwk"], sleep: 300)
            // slurmd logs the failing prolog's output: the operator sees why.
            let decided = Poll.until(timeout: 60, interval: 0.2) { run.slurmdLog.contains("the LWK pool is busy") }
            #expect(decided, "\(run.slurmdLog.suffix(2000))")
            #expect(try run.host.ihkOSCPUs() == [CPUSet([4])], "exactly one enclave")
            let refused = run.slurmdLog.split(separator: "\n").first { $0.contains("the LWK pool is busy") }.map(String.init) ?? ""
            #expect(refused.contains("error: job \(first):") || refused.contains("error: job \(second):"), "\(refused)")
            let booted = run.jobLog.contains("job \(first): enclave") || run.jobLog.contains("job \(second): enclave")
            #expect(booted, "\(run.jobLog)")
            for id in [first, second] { _ = try run.slurm.run("scancel", [id]) }
            #expect(run.waitUntilClean(), "\((try? run.leftOver()) ?? []) \(run.jobLog)")
            _ = try run.slurm.run("scontrol", ["update", "nodename=\(run.slurm.node)", "state=resume"])
            #expect(run.waitForNodeIdle(), "\(String(describing: try? run.slurm.nodeState()))")
        } }
    }
}
