import Foundation
import SosplanCore
import SosplanTestSupport

/// A host for `sosplan job prolog|epilog`: the co-kernels are the
/// simulators (8 CPUs, 2 NUMA nodes), the layout keeps CPUs 4-7 and 1 GiB
/// as the LWK pool. What the tests assert is read from the simulator's own
/// state and audit, not from sosplan's output.
final class LWKJobHost {
    let scratch: ScratchDirectory
    let root: String, tools: String, state: String, layout: String

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(_ name: String, driver: String = "mckernel", maxCPUsPerJob: Int = 4) throws {
        scratch = try ScratchDirectory(name)
        root = scratch.path("root").path
        tools = scratch.path("tools").path
        state = scratch.path("state").path
        let r = try CommandRunner.run(
            RepositoryPaths.product("sosplan-sim"),
            ["install", "--root", root, "--tools", tools, "--cpus", "8", "--nodes", "2", "--memory", "8Gi", "--drivers", "ihk,pisces"])
        guard r.status == 0 else { throw Failure(description: "sosplan-sim install: \(r.stderr)") }
        let image = scratch.path(driver == "mckernel" ? "mckernel.img" : "vmlwk.bin").path
        try "image".write(toFile: image, atomically: true, encoding: .utf8)
        try "init".write(toFile: scratch.path("lwk_init").path, atomically: true, encoding: .utf8)
        let args = driver == "mckernel" ? "\n      args: hidos" : ""
        layout = scratch.path("node.yaml").path
        try """
            apiVersion: sosplan/v1
            kind: HostLayout
            metadata: {name: lwk-node}
            spec:
              policy: {topology: none, smt: threads}
              host: {cpus: 1}
              services:
                - {name: compute, cpus: {count: 1, min: 0}}
              slurm:
                jobs: compute
                features: [lwk]
                lwkPool:
                  driver: \(driver)
                  cpus: "4-7"
                  memory: 1Gi
                  maxCPUsPerJob: \(maxCPUsPerJob)
                  image: \(image)\(args)
            """.write(toFile: layout, atomically: true, encoding: .utf8)
    }

    deinit { scratch.remove() }

    /// The options that name this host, as a Prolog= script passes them.
    var options: [String] { ["--layout", layout, "--root", root, "--tools-dir", tools, "--state-dir", state] }

    /// `sosplan job prolog|epilog` as slurmd runs it: job facts in the environment.
    func job(_ half: String, id: String, cpus: Int = 1, constraint: String = "lwk") throws -> CommandResult {
        try CommandRunner.sosplan(
            ["job", half] + options + ["--lock-timeout", "30"],
            environment: ["SLURM_JOB_ID": id, "SLURM_JOB_CONSTRAINTS": constraint, "SLURM_JOB_CPUS_PER_NODE": "\(cpus)",
                          "SLURM_SCRIPT_CONTEXT": "\(half)_slurmd"])
    }

    func sim(_ args: [String]) throws -> CommandResult {
        try CommandRunner.run(RepositoryPaths.product("sosplan-sim"), args)
    }

    /// The simulator's state file (`<root>/.sosplan-sim/state.json`).
    func simState() throws -> JSONValue {
        try JSONParser.parse(try String(contentsOfFile: root + "/.sosplan-sim/state.json", encoding: .utf8))
    }

    /// The CPUs of each IHK OS instance the simulated kernel holds.
    func ihkOSCPUs() throws -> [CPUSet] { Self.ihkOSCPUs(in: try simState()) ?? [] }

    /// The same, from a copy of the simulator's state (nil: no IHK there).
    static func ihkOSCPUs(in state: JSONValue) -> [CPUSet]? {
        guard case .array(let oses)? = state["ihk"]?["oses"] else { return nil }
        return oses.map { os in
            guard case .array(let cpus)? = os["cpus"] else { return CPUSet() }
            return CPUSet(cpus.compactMap { $0.intValue })
        }
    }

    /// The Pisces enclaves' Kitten CPUs, from the simulator's state.
    func piscesCPUs() throws -> [CPUSet] {
        guard case .array(let enclaves)? = try simState()["pisces"]?["enclaves"] else { return [] }
        return enclaves.map { e in
            guard case .array(let cpus)? = e["kittenCPUs"] else { return CPUSet() }
            return CPUSet(cpus.compactMap { $0.intValue })
        }
    }

    /// `sosplan-sim audit`: every problem the simulator sees (an empty list:
    /// no CPU offline without an owner, nothing in a co-kernel's pool,
    /// nothing stranded).
    func audit() throws -> [String] {
        let r = try sim(["audit", "--root", root])
        return r.stdout.split(separator: "\n").map(String.init) + (r.status == 0 ? [] : ["(audit exit \(r.status))"])
    }

    /// Linux's offline CPUs in the simulated sysfs (`cpuN/online` is 0).
    func offlineCPUs() -> CPUSet {
        CPUSet((0..<8).filter { cpu in
            let text = try? String(contentsOfFile: root + "/sys/devices/system/cpu/cpu\(cpu)/online", encoding: .utf8)
            return text?.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        })
    }

    /// The jobs sosplan recorded (`lwk-jobs.json`), as plain JSON.
    func recordedJobs() throws -> [JSONValue] {
        guard let text = try? String(contentsOfFile: state + "/lwk-jobs.json", encoding: .utf8) else { return [] }
        guard case .array(let jobs)? = try JSONParser.parse(text)["jobs"] else { return [] }
        return jobs
    }
}
