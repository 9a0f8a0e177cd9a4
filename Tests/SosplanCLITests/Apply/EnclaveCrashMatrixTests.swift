import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `sosplan apply` SIGKILLed inside each co-kernel tool step (a simulator
/// `stall` before the step's work, or after it is done and saved but before
/// the tool returns), on a simulated host without systemd. Each time,
/// `apply --rollback` ends with no CPU offline without an owner, no memory
/// withheld in a co-kernel pool, nothing stranded and no status hazard
/// (`sosplan-sim audit`, the simulator's own view), and an apply of the
/// empty layout then gives Linux everything back.
@Suite(.serialized) struct EnclaveCrashMatrixTests {
    struct Kill: CustomTestStringConvertible, Sendable {
        var layout: String
        /// The tool and action words to stall (matching `SimCallKind.action`).
        var stall: [String]
        var nth = 1
        var after = false
        /// Killed while tearing the enclave down (the layout applied first).
        var destroying = false
        var testDescription: String {
            "\(layout) \(destroying ? "destroy" : "create"): \(stall.joined(separator: " "))\(nth > 1 ? " #\(nth)" : "") \(after ? "after" : "before")"
        }
    }

    static let creates: [Kill] =
        [["ihkconfig", "reserve", "mem"], ["ihkconfig", "reserve", "cpu"], ["ihkconfig", "create"], ["ihkosctl", "assign", "cpu"],
         ["ihkosctl", "assign", "mem"], ["ihkosctl", "load"], ["ihkosctl", "kargs"], ["ihkosctl", "boot"], ["ihkosctl", "get", "status"]]
        .flatMap { s in [false, true].map { Kill(layout: "mckernel", stall: s, after: $0) } }
        + [(["pisces_load", "load"], 1), (["pisces_launch", "launch"], 1), (["pisces_ctrl", "add"], 1), (["pisces_ctrl", "add"], 2)]
        .flatMap { s in [false, true].map { Kill(layout: "pisces", stall: s.0, nth: s.1, after: $0) } }
        + [false, true].map { Kill(layout: "mos", stall: ["lwkctl", "create"], after: $0) }

    static let destroys: [Kill] =
        [(["ihkconfig", "destroy"], "mckernel"), (["ihkconfig", "release"], "mckernel"), (["pisces_shutdown", "shutdown"], "pisces"),
         (["lwkctl", "delete"], "mos")]
        .flatMap { s in [false, true].map { Kill(layout: s.1, stall: s.0, after: $0, destroying: true) } }

    final class Host {
        let scratch: ScratchDirectory
        let root: String, tools: String, state: String

        init() throws {
            scratch = try ScratchDirectory("crash-matrix")
            root = scratch.path("root").path
            tools = scratch.path("tools").path
            state = scratch.path("state").path
            let r = try CommandRunner.run(
                RepositoryPaths.product("sosplan-sim"),
                ["install", "--root", root, "--tools", tools, "--cpus", "8", "--nodes", "2", "--memory", "8Gi"])
            try #require(r.status == 0, "\(r.stderr)")
        }

        deinit { scratch.remove() }

        var options: [String] { ["--no-systemd", "--root", root, "--tools-dir", tools, "--state-dir", state] }

        func sim(_ args: [String]) throws -> CommandResult { try CommandRunner.run(RepositoryPaths.product("sosplan-sim"), args) }

        func sosplan(_ args: [String]) throws -> CommandResult { try CommandRunner.sosplan(args + options) }

        func layout(_ driver: String?) throws -> String {
            let image = scratch.path("vmlwk.bin").path
            try "image".write(toFile: image, atomically: true, encoding: .utf8)
            try "init".write(toFile: scratch.path("lwk_init").path, atomically: true, encoding: .utf8)
            let enclave: String
            switch driver {
            case "mckernel"?: enclave = "{name: e, driver: mckernel, image: \(image), args: hidos, cpus: \"2-3\", memory: [{size: 512Mi, numa: 0}]}"
            case "pisces"?: enclave = "{name: e, driver: pisces, image: \(image), cpus: \"4-5\", memory: [{size: 256Mi, numa: 1}]}"
            case "mos"?: enclave = "{name: e, driver: mos, cpus: \"2-3\", memory: [{size: 256Mi, numa: 0}]}"
            default: enclave = ""
            }
            let path = scratch.path("\(driver ?? "empty").yaml").path
            try """
                apiVersion: sosplan/v1
                kind: HostLayout
                metadata: {name: sim}
                spec:
                  policy: {topology: none, smt: threads}
                  host: {cpus: 1, confine: false}
                \(driver == nil ? "" : "  enclaves:\n    - \(enclave)\n")
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// What the simulator says is lost; the pool counts as withheld.
        func audit() throws -> [String] {
            try sim(["audit", "--root", root]).stdout.split(separator: "\n").map(String.init)
        }
    }

    @Test(arguments: creates + destroys)
    func killedInsideAToolStepTheRollbackLeavesNothingLost(_ kill: Kill) throws {
        let host = try Host()
        let layout = try host.layout(kill.layout)
        let empty = try host.layout(nil)
        if kill.destroying {
            let applied = try host.sosplan(["apply", layout, "--yes"])
            try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        }
        let stall = ["fault", "--root", host.root, "stall"] + kill.stall + ["30", "--nth", String(kill.nth)] + (kill.after ? ["--after"] : [])
        try #require(try host.sim(stall).status == 0)

        let apply = Process()
        apply.executableURL = RepositoryPaths.product("sosplan")
        apply.arguments = ["apply", kill.destroying ? empty : layout, "--yes"] + host.options
        apply.environment = CommandRunner.hostEnvironment([:])
        apply.standardOutput = FileHandle.nullDevice
        apply.standardError = FileHandle.nullDevice
        try apply.run()
        let log = host.root + "/.sosplan-sim/kernel.log"
        let deadline = Date().addingTimeInterval(60)
        var stalled = false
        while Date() < deadline, apply.isRunning, !stalled {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            stalled = text.contains("\(kill.stall[0]): stalled ") || text.contains("\(kill.stall[0]): will stall ")
            usleep(50_000)
        }
        #expect(stalled && apply.isRunning, "\(kill.testDescription): the apply did not reach the step")
        usleep(300_000)  // inside the stalled call
        ProcessTree.kill(apply.processIdentifier)
        apply.waitUntilExit()
        _ = try host.sim(["fault", "--root", host.root, "clear"])

        let rollback = try host.sosplan(["apply", "--rollback"])
        #expect(rollback.status == 0, "\(kill.testDescription): \(rollback.stdout)\(rollback.stderr)")
        #expect(try host.audit() == [], "\(kill.testDescription)")

        let teardown = try host.sosplan(["apply", empty, "--yes"])
        #expect(teardown.status == 0 || teardown.status == 2, "\(kill.testDescription): \(teardown.stdout)\(teardown.stderr)")
        #expect(try host.audit() == [], "\(kill.testDescription)")
        let online = try String(contentsOfFile: host.root + "/sys/devices/system/cpu/online", encoding: .utf8)
        #expect(online == "0-7\n", "\(kill.testDescription)")
    }
}
