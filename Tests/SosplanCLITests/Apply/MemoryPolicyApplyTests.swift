import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// `memory.policy` end to end against a real systemd (the sandbox's lab):
/// the plan's `unit.create` carries NUMAPolicy=/NUMAMask=, the apply writes
/// them into sosplan's unit, and systemd reports them over D-Bus as the
/// plan says (read with busctl, a client of its own; systemd 252 exposes
/// NUMAPolicy as MPOL_* and NUMAMask as a node bitmap on the Service
/// interface); the running process really has the policy (numa_maps). A
/// changed policy is a restart, labelled so; applying again changes
/// nothing. The nodes are node 0: the lab's kernel is this machine's,
/// which has that node whatever the simulated host says.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct MemoryPolicyApplyTests {
    static func layout(_ policy: String) -> String {
        """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: stream}
        spec:
          host: {cpus: 2}
          services:
            - name: stream
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: 4, numa: 0}
              memory: {policy: \(policy)}
        """
    }

    /// A property of the service's unit, as `busctl get-property` prints it (`i 3`, `ay 1 1`).
    static func property(_ sandbox: Sandbox, _ name: String) throws -> String {
        let bus = try #require(sandbox.environment["SOSPLAN_SYSTEMD_BUS"])
        let r = try CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/busctl"),
            ["--address=\(bus)", "get-property", "org.freedesktop.systemd1", "/org/freedesktop/systemd1/unit/sosplan_2dstream_2eservice",
             "org.freedesktop.systemd1.Service", name])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `ay N b0 b1 ...` (systemd pads the bitmap to 8 bytes): bit j of byte i is node 8i+j.
    static func nodes(_ printed: String) -> CPUSet? {
        let words = printed.split(separator: " ")
        guard words.first == "ay", words.count >= 2, let n = Int(words[1]), words.count == n + 2 else { return nil }
        var set = CPUSet()
        for (i, word) in words.dropFirst(2).enumerated() {
            guard let byte = UInt8(word) else { return nil }
            for bit in 0..<8 where byte & (1 << bit) != 0 { set.insert(i * 8 + bit) }
        }
        return set
    }

    @Test func interleaveRunsWithThePolicyThePlanSays() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let file = sandbox.directory.appendingPathComponent("stream.yaml")
        try Self.layout("interleave").write(to: file, atomically: true, encoding: .utf8)

        let planned = try ApplyFixture.plan(sandbox, file.path)
        let plan = try #require(planned.plan, "\(planned.stderr)")
        let create = try #require(plan.steps.first { $0.action == .unitCreate && $0.target == .unit("sosplan-stream.service") })
        #expect(create.after["NUMAPolicy"]?.stringValue == "interleave")
        let mask = try #require(create.after["NUMAMask"]?.stringValue)
        #expect(mask == "0")
        #expect(plan.placement.service("stream")?.memoryPolicy == .interleave)

        let applied = try sandbox.sosplan(["apply", file.path, "--yes"])
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        // MPOL_INTERLEAVE is 3; NUMAMask is a node bitmap.
        #expect(try Self.property(sandbox, "NUMAPolicy") == "i 3")
        #expect(Self.nodes(try Self.property(sandbox, "NUMAMask")) == CPUSet([0]))
        let observed = try sandbox.snapshot(units: ["sosplan-stream.service"]).systemd?.unit("sosplan-stream.service")
        #expect(observed?.numaPolicy == NUMAPolicySetting(kind: .interleave, nodes: CPUSet([0])))
        #expect(observed?.activeState == "active")
        // The process runs with it: its mappings say interleave over node 0.
        let pid = try sandbox.lab(["systemctl", "show", "--property", "MainPID", "--value", "sosplan-stream.service"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let maps = try sandbox.lab(["cat", "/proc/\(pid)/numa_maps"])
        #expect(maps.stdout.contains("interleave:0"), "\(maps.stdout.prefix(400))")

        // Nothing to do a second time.
        let again = try ApplyFixture.applyJSON(sandbox, [file.path, "--yes"])
        #expect(again.outcome == "no-changes", "\(again.log)")

        // Another policy is a restart, and says why.
        try Self.layout("bind").write(to: file, atomically: true, encoding: .utf8)
        let changed = try #require(try ApplyFixture.plan(sandbox, file.path).plan)
        let update = try #require(changed.steps.first { $0.target == .unit("sosplan-stream.service") })
        #expect(update.action == .unitUpdate && update.disruption == .restart)
        #expect(update.reason?.contains("NUMAPolicy=") == true)
        #expect(update.before["NUMAPolicy"]?.stringValue == "interleave" && update.after["NUMAPolicy"]?.stringValue == "bind")
        let rebound = try sandbox.sosplan(["apply", file.path, "--yes"])
        #expect(rebound.status == 0, "\(rebound.stdout)\(rebound.stderr)")
        #expect(try Self.property(sandbox, "NUMAPolicy") == "i 2")

        try ApplyFixture.tearDown(sandbox, expecting: before)
    }
}
