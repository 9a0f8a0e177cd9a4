import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// The kubelet's restart against a real systemd (the sandbox's lab): the
/// kubelet is a unit running `Tests/Kubernetes/fake_kubelet.py`, which starts
/// the way the kubelet's static CPU manager starts (it checks its state file
/// as `validateState` does and refuses to run when the CPUs differ; with no
/// state file it writes a fresh one). The layout moves `kubepods.slice`
/// from 6 to 12 CPUs of node 1.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct KubeletRestartLabTests {
    static func layout(cpus: Int, disruption: String) -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: converged}
        spec:
          policy: {disruption: \(disruption)}
          host: {cpus: 2, confine: true}
          services:
            - {name: pods, existingSlice: kubepods.slice, cpus: {count: \(cpus), numa: 1}}
        """
    }

    struct Node {
        let sandbox: Sandbox
        var kubeletDir: URL { sandbox.root.appendingPathComponent("var/lib/kubelet") }
        var stateFile: URL { kubeletDir.appendingPathComponent("cpu_manager_state") }
        var failOnce: URL { kubeletDir.appendingPathComponent("fail-once") }
        var logFile: URL { sandbox.directory.appendingPathComponent("kubelet.log") }

        func layoutFile(cpus: Int, disruption: String) throws -> String {
            let file = sandbox.directory.appendingPathComponent("pods-\(cpus)-\(disruption).yaml")
            try KubeletRestartLabTests.layout(cpus: cpus, disruption: disruption).write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }

        func slice() throws -> CPUSet? { try sandbox.snapshot().systemd?.unit("kubepods.slice")?.allowedCPUs }

        func kubeletState() throws -> String? {
            let r = try sandbox.lab(["systemctl", "show", "-P", "ActiveState", "kubelet.service"])
            return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The kubelet's configuration: static, strict, reserving every online CPU outside `pods`.
        func configure(pods: CPUSet) throws {
            let reserved = try sandbox.snapshot().topology.onlineCPUs.subtracting(pods)
            try ScratchDirectory.write(
                """
                kind: KubeletConfiguration
                cpuManagerPolicy: static
                cpuManagerPolicyOptions:
                  strict-cpu-reservation: "true"
                reservedSystemCPUs: "\(reserved)"

                """, to: "var/lib/kubelet/config.yaml", in: sandbox.root)
        }

        /// The stand-in kubelet as a unit of the lab, started.
        func installKubelet() throws {
            let python = try CommandRunner.run(
                URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import sys; print(sys.executable)"]
            ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let script = RepositoryPaths.tests.appendingPathComponent("Kubernetes/fake_kubelet.py").path
            let unit = """
                [Unit]
                Description=kubelet stand-in (sosplan tests)

                [Service]
                ExecStart=\(python) \(script) --root \(sandbox.root.path) --config \(kubeletDir.path)/config.yaml --state \(stateFile.path) --fail-once \(failOnce.path)
                # The lab's journal keeps no unit output: what it says goes to a file the test reads.
                StandardError=append:\(logFile.path)
                """
            try unit.write(to: sandbox.unitDirectory.appendingPathComponent("kubelet.service"), atomically: true, encoding: .utf8)
            #expect(try sandbox.lab(["systemctl", "daemon-reload"]).status == 0)
            #expect(try sandbox.lab(["systemctl", "start", "kubelet.service"]).status == 0)
            try #require(Poll.until(timeout: 10) { FileManager.default.fileExists(atPath: stateFile.path) }, "the kubelet wrote no state")
            try #require(try kubeletState() == "active")
        }

        /// The state file's default set.
        func stateCPUs() throws -> CPUSet {
            let json = try JSONParser.parse(try String(contentsOf: stateFile, encoding: .utf8))
            return try CPUSet(lenientList: json["defaultCpuSet"]?.stringValue ?? "")
        }

        /// Waits for the kubelet to settle in `state` (it checks its file a moment after starting).
        func settles(_ state: String) throws -> Bool {
            usleep(1_500_000)
            return try Poll.until(timeout: 10) { try kubeletState() == state }
        }
    }

    /// A node whose kubelet runs on 6 CPUs of node 1 with a valid state.
    static func node() throws -> Node {
        let node = Node(sandbox: try Sandbox.up())
        let first = try node.sandbox.sosplan(["apply", try node.layoutFile(cpus: 6, disruption: "defer"), "--yes"])
        try #require(first.status == 0, "\(first.stdout)\(first.stderr)")
        let six = try #require(try node.slice())
        try node.configure(pods: six)
        try node.installKubelet()
        #expect(try node.stateCPUs() == six)
        return node
    }

    @Test func allowRestartsTheKubeletWhichOtherwiseRefusesItsOldState() throws {
        let node = try Self.node()
        defer { node.sandbox.down() }
        let six = try #require(try node.slice())
        let oldState = try Data(contentsOf: node.stateFile)

        // defer: reported and kept.
        let deferred = try node.sandbox.sosplan(["plan", try node.layoutFile(cpus: 12, disruption: "defer")])
        #expect(deferred.stdout.contains("keeps kubepods.slice on CPUs \(six)"), "\(deferred.stdout)")
        #expect(!deferred.stdout.contains("kubelet.stop"))

        // The operator updates reservedSystemCPUs for the new slice (the plan says which), then applies.
        let file = try node.layoutFile(cpus: 12, disruption: "allow")
        let plan = try Plan.decode(json: try node.sandbox.sosplan(["plan", file, "--format", "json"]).stdout)
        let twelve = try #require(plan.placement.service("pods")?.cpus)
        #expect(twelve.count == 12 && six.isSubset(of: twelve))
        #expect(plan.steps.first?.action == .kubeletStop && plan.steps.last?.action == .kubeletStart)
        #expect(plan.notes.contains { $0.contains("reservedSystemCPUs: \"") })
        try node.configure(pods: twelve)
        let apply = try node.sandbox.sosplan(["apply", file, "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try node.settles("active"))
        #expect(try node.slice() == twelve)
        #expect(try node.stateCPUs() == twelve, "the kubelet started afresh on the slice's new CPUs")

        // Without the state file's removal the kubelet would not have started:
        // the old state put back, it refuses as the real kubelet does.
        #expect(try node.sandbox.lab(["systemctl", "stop", "kubelet.service"]).status == 0)
        try oldState.write(to: node.stateFile)
        _ = try node.sandbox.lab(["systemctl", "start", "kubelet.service"])
        #expect(try node.settles("failed"))
        let log = (try? String(contentsOf: node.logFile, encoding: .utf8)) ?? ""
        #expect(log.contains("doesn't match with CPUs in state"), "\(log)")
    }

    @Test func aFaultInTheRestartRollsBackToTheOldCPUsAndState() throws {
        let node = try Self.node()
        defer { node.sandbox.down() }
        let six = try #require(try node.slice())
        let oldState = try Data(contentsOf: node.stateFile)
        // The kubelet's next start fails (once): after its state is gone and the slice moved.
        try Data().write(to: node.failOnce)
        let apply = try node.sandbox.sosplan(["apply", try node.layoutFile(cpus: 12, disruption: "allow"), "--yes"])
        #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stderr.contains("kubelet.service did not stay running"), "\(apply.stderr)")
        #expect(!FileManager.default.fileExists(atPath: node.failOnce.path), "the fault fired")
        #expect(try node.slice() == six)
        #expect(try Data(contentsOf: node.stateFile) == oldState, "the state file is back byte for byte")
        #expect(try node.settles("active"), "the kubelet runs again, on its old CPUs and state")
    }
}
