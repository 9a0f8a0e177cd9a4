import Foundation
import SosplanCore
import SosplanTestSupport
import Testing

/// Power classes on the sandbox's simulated cpufreq and cpuidle, and kernel
/// arguments written to its GRUB drop-in: a `reboot` step that never
/// reboots, and stays planned until the simulated kernel booted with them.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct SandboxPowerAndBootArgumentsTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: sandbox-power}
        spec:
          host:
            cpus: 2
          isolation:
            kernelArgs: [nohz_full, rcu_nocbs, "isolcpus=managed_irq,domain", irqaffinity]
          power:
            unassigned: {maxIdleLatency: 20us, governor: powersave}
          services:
            - name: feed
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: 4, numa: 0}
              isolated: true
              power: {maxIdleLatency: 0us, governor: performance, frequency: {min: max, max: max}}
            - name: batch
              exec: ["/bin/sleep", "infinity"]
              cpus: 4
              power:
                frequency: {max: 2GHz}

        """

    static func cpufreq(_ sandbox: Sandbox, _ cpu: Int, _ file: String) -> String? {
        LiveKernel.text(sandbox.root.appendingPathComponent("sys/devices/system/cpu/cpu\(cpu)/cpufreq/\(file)").path)
    }

    /// The simulated C-states (name, latency in µs, disabled) of a CPU.
    static func idle(_ sandbox: Sandbox, _ cpu: Int) -> [(name: String, latency: Int, disabled: Bool)] {
        let dir = sandbox.root.appendingPathComponent("sys/devices/system/cpu/cpu\(cpu)/cpuidle")
        return (0..<8).compactMap { k in
            let s = dir.appendingPathComponent("state\(k)").path
            guard let name = LiveKernel.text(s + "/name"), let latency = LiveKernel.text(s + "/latency").flatMap(Int.init) else { return nil }
            return (name, latency, LiveKernel.text(s + "/disable") == "1")
        }
    }

    static func placed(_ plan: Plan, _ owner: String) throws -> [Int] {
        if owner == "host" { return plan.placement.host.cpus.sorted() }
        return try #require(plan.placement.service(owner)?.cpus.sorted(), "\(owner) is placed")
    }

    @Test func governorsFrequenciesCStatesAndBootArgumentsAreAppliedWithoutARebootAndPutBack() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let before = try sandbox.snapshot(units: ApplyFixture.units)
        let layout = sandbox.directory.appendingPathComponent("power.yaml")
        try Self.layout.write(to: layout, atomically: true, encoding: .utf8)
        let commandLine = try #require(LiveKernel.text(sandbox.root.appendingPathComponent("proc/cmdline").path))

        let planned = try ApplyFixture.plan(sandbox, layout.path)
        let plan = try #require(planned.plan, "\(planned.stderr)")
        let boot = try #require(plan.steps.first { $0.action == .kernelCommandLine }, "\(plan.steps.map(\.action.rawValue))")
        #expect(boot.disruption == .reboot)
        let feed = try Self.placed(plan, "feed"), batch = try Self.placed(plan, "batch")
        let host = try Self.placed(plan, "host")
        let isolated = CPUSet(feed).description
        #expect(boot.after["arguments"]?.stringValue
            == "nohz_full=\(isolated) rcu_nocbs=\(isolated) isolcpus=managed_irq,domain,\(isolated) irqaffinity=\(CPUSet(host))")
        let text = try sandbox.sosplan(["plan", layout.path])
        #expect(text.stdout.contains("kernel.cmdline cmdline [reboot]"), "\(text.stdout)")

        let applied = try sandbox.sosplan(["apply", layout.path, "--yes"])
        try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        // Written for the next boot; the running kernel and systemd did not reboot.
        let dropIn = try String(contentsOf: sandbox.root.appendingPathComponent("etc/default/grub.d/sosplan.cfg"), encoding: .utf8)
        #expect(dropIn.contains("nohz_full=\(isolated) rcu_nocbs=\(isolated)"), "\(dropIn)")
        #expect(LiveKernel.text(sandbox.root.appendingPathComponent("proc/cmdline").path) == commandLine)
        #expect(try sandbox.lab(["systemctl", "is-active", "sosplan-feed.service"]).stdout.hasPrefix("active"))

        for cpu in feed {
            #expect(Self.cpufreq(sandbox, cpu, "scaling_governor") == "performance")
            #expect(Self.cpufreq(sandbox, cpu, "scaling_min_freq") == "3500000" && Self.cpufreq(sandbox, cpu, "scaling_max_freq") == "3500000")
            let states = Self.idle(sandbox, cpu)
            #expect(states.count > 1 && states.contains { $0.latency == 0 }, "the simulated C-states of CPU \(cpu): \(states)")
            for s in states { #expect(s.disabled == (s.latency > 0), "CPU \(cpu) \(s.name)") }
        }
        for cpu in batch {
            #expect(Self.cpufreq(sandbox, cpu, "scaling_governor") == "schedutil", "batch asks for no governor")
            #expect(Self.cpufreq(sandbox, cpu, "scaling_min_freq") == "800000" && Self.cpufreq(sandbox, cpu, "scaling_max_freq") == "2000000")
            #expect(Self.idle(sandbox, cpu).count > 1 && Self.idle(sandbox, cpu).allSatisfy { !$0.disabled })
        }
        let unassigned = try #require(before.topology.onlineCPUs.subtracting(CPUSet(feed + batch + host)).sorted().first)
        #expect(Self.cpufreq(sandbox, unassigned, "scaling_governor") == "powersave")
        let unassignedStates = Self.idle(sandbox, unassigned)
        #expect(unassignedStates.contains { $0.disabled } && unassignedStates.contains { !$0.disabled && $0.latency > 0 }, "\(unassignedStates)")
        for s in unassignedStates { #expect(s.disabled == (s.latency > 20), "unassigned CPU \(unassigned) \(s.name)") }
        #expect(Self.cpufreq(sandbox, host[0], "scaling_governor") == "schedutil", "the host's CPUs keep theirs")

        // Only the boot arguments stay in the plan, until a boot runs them.
        let pending = try #require(try ApplyFixture.plan(sandbox, layout.path).plan)
        #expect(pending.steps.map(\.action) == [.kernelCommandLine], "\(pending.steps.map(\.action.rawValue))")
        let again = try sandbox.sosplan(["apply", layout.path, "--yes"])
        #expect(again.status == 0 && again.stdout.contains("the running kernel lacks"), "\(again.stdout)\(again.stderr)")
        #expect(LiveKernel.text(sandbox.root.appendingPathComponent("proc/cmdline").path) == commandLine, "no reboot")

        try ApplyFixture.tearDown(sandbox, expecting: before)
        #expect(!FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("etc/default/grub.d/sosplan.cfg").path))
        #expect(Self.cpufreq(sandbox, feed[0], "scaling_governor") == "schedutil")
    }

    @Test func afterARebootWithTheDropInTheBootArgumentsLeaveThePlan() throws {
        var sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let layout = sandbox.directory.appendingPathComponent("power.yaml")
        try Self.layout.write(to: layout, atomically: true, encoding: .utf8)
        let applied = try sandbox.sosplan(["apply", layout.path, "--yes"])
        try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let feed = CPUSet(try Self.placed(try #require(try ApplyFixture.plan(sandbox, layout.path).plan), "feed"))

        sandbox = try sandbox.reboot()
        let commandLine = try #require(LiveKernel.text(sandbox.root.appendingPathComponent("proc/cmdline").path))
        #expect(commandLine.contains("nohz_full=\(feed) rcu_nocbs=\(feed)"), "\(commandLine)")
        let after = try #require(try ApplyFixture.plan(sandbox, layout.path).plan)
        #expect(!after.steps.contains { $0.action == .kernelCommandLine }, "the running kernel has them now")
        // The simulated kernel forgot its C-states and frequencies: planned again.
        #expect(after.steps.contains { $0.action == .cpuidleSet }, "\(after.steps.map(\.action.rawValue))")
    }
}
