import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan job prolog|epilog` on a host whose co-kernels are the
/// simulators, run the way slurmd runs a Prolog/Epilog (job facts in the
/// environment): a job that asks for an LWK gets an enclave of its size
/// from the pool and loses it in the epilog, whatever happened in between.
/// Every check reads the simulator's state and audit.
@Suite struct LWKJobCommandTests {
    @Test func thePrologBootsTheJobsEnclaveAndTheEpilogDestroysIt() throws {
        let host = try LWKJobHost("lwk-job")
        let prolog = try host.job("prolog", id: "11", cpus: 2)
        #expect(prolog.status == 0, "\(prolog.stderr)")
        #expect(try host.ihkOSCPUs() == [CPUSet(4...5)])
        #expect(host.offlineCPUs() == CPUSet(4...5))
        #expect(try host.recordedJobs().map { $0["job"]?.intValue } == [11])

        let epilog = try host.job("epilog", id: "11", cpus: 2)
        #expect(epilog.status == 0, "\(epilog.stderr)")
        #expect(try host.ihkOSCPUs() == [])
        #expect(host.offlineCPUs().isEmpty)
        #expect(try host.audit() == [])
        #expect(try host.recordedJobs().isEmpty)
    }

    @Test func aJobThatAsksForNoLWKGetsNothing() throws {
        let host = try LWKJobHost("lwk-none")
        for constraint in ["", "bigmem", "lwkx&ib"] {
            let r = try host.job("prolog", id: "12", constraint: constraint)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try host.ihkOSCPUs() == [] && host.offlineCPUs().isEmpty)
        #expect(try host.job("epilog", id: "12").status == 0)
        #expect(try host.audit() == [])
    }

    /// Without the co-kernel (its module not loaded, its tools gone) an
    /// ordinary job still starts: only a job asking for an LWK is refused.
    @Test func anOrdinaryJobNeverNeedsTheCoKernel() throws {
        let host = try LWKJobHost("lwk-nocokernel")
        try FileManager.default.moveItem(atPath: host.tools, toPath: host.tools + ".gone")
        #expect(try host.job("prolog", id: "13", constraint: "").status == 0)
        #expect(try host.job("epilog", id: "13", constraint: "").status == 0)
        let lwk = try host.job("prolog", id: "14")
        #expect(lwk.status == 1 && lwk.stderr.contains("mckernel is not available"), "\(lwk.stderr)")
    }

    /// McKernel boots one OS per IHK device: a second job asking while the
    /// first holds it is refused with the reason, and nothing of it is left.
    @Test func aSecondMcKernelJobAtOnceIsRefusedWithTheReason() throws {
        let host = try LWKJobHost("lwk-two")
        #expect(try host.job("prolog", id: "21").status == 0)
        let second = try host.job("prolog", id: "22")
        #expect(second.status == 1)
        #expect(second.stderr.contains("job 22") && second.stderr.contains("at most 1 instance"), "\(second.stderr)")
        #expect(try host.ihkOSCPUs() == [CPUSet([4])])
        // Slurm runs the epilog of the refused job too: it must not touch job 21's enclave.
        #expect(try host.job("epilog", id: "22").status == 0)
        #expect(try host.ihkOSCPUs() == [CPUSet([4])])
        #expect(try host.job("epilog", id: "21").status == 0)
        #expect(try host.audit() == [] && host.offlineCPUs().isEmpty)
    }

    @Test func aPiscesPoolGivesEachJobItsCPUsUntilItIsExhausted() throws {
        let host = try LWKJobHost("lwk-pisces", driver: "pisces")
        #expect(try host.job("prolog", id: "31", cpus: 3).status == 0)
        #expect(try host.job("prolog", id: "32", cpus: 1).status == 0)
        #expect(try host.piscesCPUs().map { $0 }.sorted { $0.first ?? 0 < $1.first ?? 0 } == [CPUSet(4...6), CPUSet([7])])
        let third = try host.job("prolog", id: "33", cpus: 1)
        #expect(third.status == 1 && third.stderr.contains("the LWK pool is exhausted: job 33"), "\(third.stderr)")
        #expect(try host.piscesCPUs().count == 2)
        for id in ["33", "31", "32"] { #expect(try host.job("epilog", id: id).status == 0) }
        #expect(try host.piscesCPUs() == [])
        #expect(try host.audit() == [] && host.offlineCPUs().isEmpty && host.recordedJobs().isEmpty)
    }

    @Test func aPrologThatFailsHalfWayLeavesNothing() throws {
        let host = try LWKJobHost("lwk-fail")
        #expect(try host.sim(["fault", "--root", host.root, "fail", "ihkosctl", "boot"]).status == 0)
        let prolog = try host.job("prolog", id: "41")
        #expect(prolog.status == 1, "\(prolog.stdout)")
        #expect(try host.ihkOSCPUs() == [] && host.offlineCPUs().isEmpty)
        #expect(try host.recordedJobs().isEmpty)
        #expect(try host.audit() == [])
        #expect(try host.job("epilog", id: "41").status == 0)
    }

    /// Slurm kills a prolog that overruns PrologEpilogTimeout, and the node
    /// can lose power mid-boot: the durable record lets the epilog clean up.
    @Test(arguments: [["ihkconfig", "create"], ["ihkosctl", "boot"]])
    func theEpilogCleansUpAfterAKilledProlog(stall: [String]) throws {
        let host = try LWKJobHost("lwk-kill")
        #expect(try host.sim(["fault", "--root", host.root, "stall"] + stall + ["30", "--count", "1"]).status == 0)
        let prolog = Process()
        prolog.executableURL = RepositoryPaths.product("sosplan")
        prolog.arguments = ["job", "prolog"] + host.options
        prolog.environment = CommandRunner.hostEnvironment(["SLURM_JOB_ID": "51", "SLURM_JOB_CONSTRAINTS": "lwk", "SLURM_JOB_CPUS_PER_NODE": "2"])
        prolog.standardOutput = FileHandle.nullDevice
        prolog.standardError = FileHandle.nullDevice
        try prolog.run()
        let log = host.root + "/.sosplan-sim/kernel.log"
        let stalled = Poll.until(timeout: 60, interval: 0.05) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.contains("\(stall[0]): stalled ") || text.contains("\(stall[0]): will stall ")
        }
        #expect(stalled && prolog.isRunning, "the prolog did not reach \(stall)")
        usleep(300_000)
        ProcessTree.kill(prolog.processIdentifier)
        prolog.waitUntilExit()
        _ = try host.sim(["fault", "--root", host.root, "clear"])
        #expect(!host.offlineCPUs().isEmpty, "the killed prolog had taken CPUs")

        let epilog = try host.job("epilog", id: "51", cpus: 2)
        #expect(epilog.status == 0, "\(epilog.stderr)")
        #expect(try host.audit() == [])
        #expect(host.offlineCPUs().isEmpty)
        #expect(try host.recordedJobs().isEmpty)
    }

    @Test func aDamagedJobListIsNeverReadAsNoJobs() throws {
        let host = try LWKJobHost("lwk-damaged")
        #expect(try host.job("prolog", id: "61").status == 0)
        try "{\"schema\": \"sosplan.lwk-jobs/v1\", \"jobs\": [{\"job\": 61, \"enclave\": \"../x\"".write(
            toFile: host.state + "/lwk-jobs.json", atomically: true, encoding: .utf8)
        let r = try host.job("prolog", id: "62")
        #expect(r.status == 1 && r.stderr.contains("lwk-jobs.json is damaged"), "\(r.stderr)")
        #expect(try host.ihkOSCPUs() == [CPUSet([4])])
    }
}
