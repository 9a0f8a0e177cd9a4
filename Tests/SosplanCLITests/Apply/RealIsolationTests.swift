import Foundation
import SosplanTestSupport
import Testing

/// `isolated: true` and `maxIdleLatency` on this machine's real kernel, with
/// the lab's real systemd: CPU 0 is the host's, CPU 1 the isolated
/// service's. Each test holds the live-CPU lock exclusively and a
/// `LiveKernel.Guard` that puts every IRQ affinity, the default affinity,
/// the workqueue mask and the C-states back, also when the test is killed.
@Suite(.serialized, .enabled(if: LiveKernel.isAvailable, "\(LiveKernel.unavailableReason ?? "")"))
struct RealIsolationTests {
    static let serviceCPU = LiveCPU.cpu

    static let isolatedLayout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: real-isolation}
        spec:
          policy: {topology: none, smt: threads}
          host:
            cpus: {list: "0"}
          services:
            - name: rt
              exec: ["/bin/sleep", "infinity"]
              cpus: {list: "\(serviceCPU)"}
              isolated: true
              power: {maxIdleLatency: 0us}

        """

    /// The same service on the same CPU, neither isolated nor with a power class.
    static var plainLayout: String {
        isolatedLayout.replacingOccurrences(of: "      isolated: true\n", with: "")
            .replacingOccurrences(of: "      power: {maxIdleLatency: 0us}\n", with: "")
    }

    struct Run {
        var lab: SystemdLab
        var scratch: ScratchDirectory

        func sosplan(_ arguments: [String]) throws -> CommandResult {
            try CommandRunner.sosplan(arguments, environment: [
                "SOSPLAN_SYSTEMD_BUS": lab.busAddress, "SOSPLAN_UNIT_DIR": lab.unitDirectory.path,
                "SOSPLAN_STATE_DIR": scratch.path("state").path,
            ])
        }

        func layout(_ name: String, _ text: String) throws -> String {
            let file = scratch.path(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }

        func systemctl(_ arguments: [String]) throws -> String {
            try lab.run(["systemctl"] + arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// Runs `body` with a lab, a scratch directory, the lock and the guard.
    static func live(_ label: String, _ body: (Run) throws -> Void) throws {
        try LiveCPU.withExclusive {
            let guarded = try LiveKernel.Guard()
            defer { guarded.release() }
            let lab = try SystemdLab.start(prefix: label)
            defer { lab.stop() }
            let scratch = try ScratchDirectory(label)
            defer { scratch.remove() }
            try body(Run(lab: lab, scratch: scratch))
        }
    }

    /// The IRQs whose affinity the kernel lets anyone set, now.
    static func movableIRQs() -> [Int] { LiveKernel.read().irqAffinity.keys.sorted().filter(LiveKernel.isMovable) }

    @Test func anIsolatedServiceCPUTakesNoMovableInterruptAndNoUnboundWorkUntilIsolationIsRemoved() throws {
        let route = try #require(IOBurst.defaultRoute(), "no default route for network I/O")
        let nic = IOBurst.irqs(ofInterface: route.interface)
        try #require(!nic.isEmpty, "no IRQ named after \(route.interface) or its device in /proc/interrupts")
        try Self.live("isolation") { run in
            let cpu = Self.serviceCPU
            let movable = Self.movableIRQs()
            let movableNIC = nic.filter(movable.contains)
            try #require(!movableNIC.isEmpty, "the kernel moves none of \(route.interface)'s IRQs \(nic.sorted())")
            // The network's IRQs go to the service's CPU alone first, so that
            // sosplan has something to take away and the I/O is seen there.
            for irq in movableNIC { #expect(LiveKernel.write("\(cpu)", to: "/proc/irq/\(irq)/smp_affinity_list") == nil) }
            let before = LiveKernel.read()
            let idle = LiveKernel.idleStates()
            #expect(idle.contains { $0.cpu == cpu && $0.latency > 0 }, "CPU \(cpu) has a C-state with exit latency to disable")

            // Bursts until CPU `cpu` took one (see the bursts after isolation below).
            var a = IOBurst.interrupts()
            try IOBurst.run(seconds: 2, directory: run.scratch.url, gateway: route.gateway)
            for _ in 0..<4 where IOBurst.delta(a, IOBurst.interrupts(), irqs: movable, cpu: cpu) == 0 {
                try IOBurst.run(seconds: 2, directory: run.scratch.url, gateway: route.gateway)
            }
            var b = IOBurst.interrupts()
            try #require(IOBurst.delta(a, b, irqs: movable, cpu: cpu) > 0, "the I/O reaches CPU \(cpu) before isolation: the check below can fail")

            let isolated = try run.layout("isolated.yaml", Self.isolatedLayout)
            let applied = try run.sosplan(["apply", isolated, "--yes"])
            try #require(applied.status == 0, "\(applied.stdout)\(applied.stderr)")

            for irq in movable {
                let list = LiveKernel.cpus(list: LiveKernel.text("/proc/irq/\(irq)/smp_affinity_list") ?? "")
                #expect(!list.isEmpty && !list.contains(cpu), "IRQ \(irq) may still run on CPU \(cpu): \(list.sorted())")
            }
            // x86 without interrupt remapping moves an IRQ when it next fires
            // (kernel/irq/migration.c, irq_move_masked_irq): that one
            // interrupt may still land on the old CPU. Let each fire once (a
            // loaded machine may take a few bursts to send a packet).
            func delivered() -> [Int] {
                movable.filter { irq in
                    LiveKernel.text("/proc/irq/\(irq)/effective_affinity_list").map(LiveKernel.cpus(list:))?.contains(cpu) == true
                }
            }
            let pending = delivered()
            a = IOBurst.interrupts()
            for _ in 0..<20 where !delivered().isEmpty { try IOBurst.run(seconds: 0.5, directory: run.scratch.url, gateway: route.gateway) }
            b = IOBurst.interrupts()
            #expect(IOBurst.delta(a, b, irqs: movable, cpu: cpu) <= UInt64(pending.count), "at most the one deferred interrupt of each of \(pending)")
            for irq in movable {
                let effective = LiveKernel.text("/proc/irq/\(irq)/effective_affinity_list").map(LiveKernel.cpus(list:))
                #expect(effective?.contains(cpu) != true, "IRQ \(irq) is delivered to CPU \(cpu)")
            }
            let workqueues = LiveKernel.cpus(mask: LiveKernel.text("/sys/devices/virtual/workqueue/cpumask") ?? "")
            #expect(!workqueues.isEmpty && !workqueues.contains(cpu), "workqueue mask \(workqueues.sorted())")
            #expect(!LiveKernel.cpus(mask: LiveKernel.text("/proc/irq/default_smp_affinity") ?? "").contains(cpu))
            for state in LiveKernel.idleStates() {
                let want = state.cpu == cpu && state.latency > 0
                #expect(state.disabled == want, "CPU \(state.cpu) \(state.name) (\(state.latency) µs) disabled: \(state.disabled)")
            }

            // A burst's connection attempts can go unanswered (the gateway
            // sends no RST or SYN-ACK, so the NIC receives nothing and
            // virtio-net raises no interrupt): up to four more bursts follow
            // until the NIC raised one; the CPU must take none in all of them.
            a = IOBurst.interrupts()
            try IOBurst.run(seconds: 2, directory: run.scratch.url, gateway: route.gateway)
            for _ in 0..<4 where IOBurst.delta(a, IOBurst.interrupts(), irqs: movableNIC, cpu: nil) == 0 {
                try IOBurst.run(seconds: 2, directory: run.scratch.url, gateway: route.gateway)
            }
            b = IOBurst.interrupts()
            #expect(IOBurst.delta(a, b, irqs: movable, cpu: cpu) == 0, "CPU \(cpu) took interrupts from movable IRQs during the I/O")
            #expect(IOBurst.delta(a, b, irqs: movableNIC, cpu: nil) > 0, "the network I/O raised interrupts (on the host CPU)")

            let status = try run.sosplan(["status"])
            #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
            #expect(status.stdout.contains("Isolated CPUs \(cpu): 0 movable IRQs may run there"), "\(status.stdout)")

            // Someone moves an IRQ back: drift, until the next apply steers it again.
            let moved = try #require(movableNIC.min())
            #expect(LiveKernel.write("\(cpu)", to: "/proc/irq/\(moved)/smp_affinity_list") == nil)
            let metrics = run.scratch.path("sosplan.prom")
            let drifted = try run.sosplan(["status", "--metrics", metrics.path])
            #expect(drifted.status == 2, "\(drifted.stdout)\(drifted.stderr)")
            #expect(drifted.stdout.contains("1 movable IRQ may run there"), "\(drifted.stdout)")
            let gauges = (try? String(contentsOf: metrics, encoding: .utf8)) ?? ""
            #expect(gauges.contains("sosplan_isolated_cpu_irqs{kind=\"movable\"} 1\n"), "\(gauges)")
            let again = try run.sosplan(["apply", isolated, "--yes"])
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(LiveKernel.text("/proc/irq/\(moved)/smp_affinity_list").map(LiveKernel.cpus(list:))?.contains(cpu) == false)

            let plain = try run.layout("plain.yaml", Self.plainLayout)
            let removed = try run.sosplan(["apply", plain, "--yes"])
            #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
            #expect(LiveKernel.read() == before, "removing isolated puts back\n\(before)\nnow\n\(LiveKernel.read())")
            #expect(try run.sosplan(["plan", plain]).status == 0, "nothing left to change")
        }
    }

    /// An IRQ that reaches the isolated CPU after the apply (a new device,
    /// a driver reload, someone's echo) is found by the watch loop's periodic
    /// check and steered to the host's CPU.
    @Test func theWatchLoopSteersAnIRQMovedOntoTheIsolatedCPU() throws {
        try Self.live("isolation-watch") { run in
            let cpu = Self.serviceCPU
            let irq = try #require(Self.movableIRQs().first, "no IRQ the kernel lets move")
            let layout = try run.layout("isolated.yaml", Self.isolatedLayout)
            let watcher = try BackgroundSosplan(
                ["reconcile", "--watch", "--irq-check", "1", layout],
                environment: [
                    "SOSPLAN_SYSTEMD_BUS": run.lab.busAddress, "SOSPLAN_UNIT_DIR": run.lab.unitDirectory.path,
                    "SOSPLAN_STATE_DIR": run.scratch.path("state").path,
                ],
                log: run.scratch.path("watch.log"))
            defer { watcher.stop() }
            #expect(watcher.waitForLog(timeout: 30) { $0.contains("reconcile (first-apply): converged") }, "\(watcher.log)")
            func affinity() -> Set<Int> { LiveKernel.cpus(list: LiveKernel.text("/proc/irq/\(irq)/smp_affinity_list") ?? "") }
            try #require(!affinity().contains(cpu), "the first apply steered IRQ \(irq): \(watcher.log)")

            #expect(LiveKernel.write("\(cpu)", to: "/proc/irq/\(irq)/smp_affinity_list") == nil)
            let moved = Date()
            let steered = Poll.until(timeout: 10) { !affinity().contains(cpu) }
            #expect(steered, "IRQ \(irq) stayed on CPU \(cpu): \(watcher.log)")
            #expect(Date().timeIntervalSince(moved) < 5, "steered after \(Date().timeIntervalSince(moved)) s")
            #expect(watcher.waitForLog(timeout: 5) { $0.contains("reconcile (irq): converged") }, "\(watcher.log)")
            #expect(watcher.stop() == 0, "\(watcher.log)")
        }
    }

    /// irqbalance's restart with the ban fails (a stand-in that refuses any
    /// ban): the step fails after the IRQs, the masks and the C-states were
    /// changed, and the rollback puts every one of them back and irqbalance
    /// running as it was.
    @Test func aFailedStepRollsBackTheIRQsTheMasksTheCStatesAndIRQBalance() throws {
        try Self.live("isolation-fail") { run in
            let unit = run.lab.unitDirectory.appendingPathComponent("irqbalance.service")
            try """
                [Unit]
                Description=irqbalance stand-in that will not start with a ban
                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'test -z "$IRQBALANCE_BANNED_CPULIST"'

                """.write(to: unit, atomically: true, encoding: .utf8)
            _ = try run.systemctl(["daemon-reload"])
            _ = try run.systemctl(["start", "irqbalance.service"])
            try #require(try run.systemctl(["is-active", "irqbalance.service"]) == "active")
            let before = LiveKernel.read()

            let isolated = try run.layout("isolated.yaml", Self.isolatedLayout)
            let planned = try run.sosplan(["plan", isolated])
            #expect(planned.stdout.contains("irq.affinity") && planned.stdout.contains("workqueue.cpumask")
                && planned.stdout.contains("cpuidle.set") && planned.stdout.contains("irqbalance.ban"), "\(planned.stdout)")
            let applied = try run.sosplan(["apply", isolated, "--yes"])
            #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
            #expect(applied.stdout.contains("the host is as it was before"), "\(applied.stdout)\(applied.stderr)")
            #expect(LiveKernel.read() == before, "the rollback puts back\n\(before)\nnow\n\(LiveKernel.read())")
            #expect(try run.systemctl(["is-active", "irqbalance.service"]) == "active")
            let dropIns = run.lab.unitDirectory.appendingPathComponent("irqbalance.service.d").path
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: dropIns)) ?? []).isEmpty, "sosplan's drop-in is gone")
            #expect(try run.systemctl(["show", "--property", "LoadState", "--value", "sosplan-rt.service"]) == "not-found")
        }
    }
}
