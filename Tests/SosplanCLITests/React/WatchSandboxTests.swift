import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// `reconcile --watch` in a sandbox: the simulated kernel sends uevents in
/// the kernel's own format on a socket (SOSPLAN_UEVENT_SOCKET) whenever its
/// sysfs changes, whoever changed it.
@Suite(.serialized, .enabled(if: Sandbox.isAvailable, "\(Sandbox.unavailableReason ?? "")"))
struct WatchSandboxTests {
    static let layout = """
        apiVersion: sosplan/v1
        kind: HostLayout
        metadata: {name: watch}
        spec:
          policy: {topology: none, smt: whole-cores}
          host: {cpus: 2}
          hugepages:
            - {size: 2Mi, count: 1024, numa: 1}
          enclaves:
            - name: kitten
              driver: pisces
              cpus: {count: 4, numa: 1}
              memory: [{size: 4Gi, numa: 1}]
          services:
            - name: hi
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: 8, numa: 0}
              priority: 10
            - name: lo
              exec: ["/bin/sleep", "infinity"]
              cpus: {count: 6, min: 2, numa: 0}
              priority: 1
        """

    func passes(_ log: String) -> Int { log.components(separatedBy: "\nreconcile (").count - 1 }

    @Test func hotplugAdaptsWithinPrioritiesAndLeavesTheEnclaveAlone() throws {
        let sandbox = try Sandbox.up()
        defer { sandbox.down() }
        let layout = sandbox.directory.appendingPathComponent("watch.yaml")
        try Self.layout.write(to: layout, atomically: true, encoding: .utf8)
        let watcher = try BackgroundSosplan(
            ["reconcile", "--watch", "--verbose", layout.path], environment: sandbox.environment,
            log: sandbox.directory.appendingPathComponent("watch.log"))
        defer { watcher.stop() }
        try #require(watcher.waitForLog(timeout: 60) { $0.contains("reconcile (first-apply): converged") }, "\(watcher.log)")

        // The apply's own hotplug (Pisces' CPUs and memory blocks going offline) is not re-planned.
        #expect(watcher.waitForLog(timeout: 5) { $0.contains("caused by sosplan's own step, not re-planned") }, "\(watcher.log)")
        usleep(1_500_000)
        #expect(passes(watcher.log) == 1, "\(watcher.log)")
        let enclaveBefore = try #require(try sandbox.snapshot().enclaves.first { $0.name == "kitten" })
        let hi = try sandbox.allowedCPUs("sosplan-hi.slice"), lo = try sandbox.allowedCPUs("sosplan-lo.slice")
        #expect(hi.count == 8 && lo.count == 6)

        // Two whole cores of the high-priority service go away at once.
        let topology = try sandbox.snapshot().topology
        let cores = topology.cpus.filter { hi.contains($0.id) }.map(\.threadSiblings)
        let lost = CPUSet(Array(Set(cores)).sorted { $0.min()! < $1.min()! }.prefix(2).flatMap { Array($0) })
        #expect(lost.count == 4)
        for cpu in lost { try sandbox.writeHostFile("sys/devices/system/cpu/cpu\(cpu)/online", "0") }
        #expect(watcher.waitForLog(timeout: 10) { $0.contains("reconcile (hotplug): converged") }, "\(watcher.log)")
        let hiNow = try sandbox.allowedCPUs("sosplan-hi.slice"), loNow = try sandbox.allowedCPUs("sosplan-lo.slice")
        #expect(hiNow.count == 8, "the high priority keeps its count: \(hiNow)")
        #expect(hi.subtracting(lost).isSubset(of: hiNow), "and the CPUs it still had")
        #expect(loNow.count == 2, "the low priority shrinks to its min: \(loNow)")
        #expect(hiNow.isDisjoint(with: lost) && loNow.isDisjoint(with: lost) && hiNow.isDisjoint(with: loNow))
        let enclaveAfter = try #require(try sandbox.snapshot().enclaves.first { $0.name == "kitten" })
        #expect(enclaveAfter.cpus == enclaveBefore.cpus, "Pisces keeps its offline CPUs")
        #expect(enclaveAfter.memory == enclaveBefore.memory)
        let afterFirst = watcher.log.components(separatedBy: "reconcile (first-apply)").last ?? ""
        #expect(!afterFirst.contains("enclave."), "the enclave is not disturbed: \(afterFirst)")

        let show = try sandbox.sosplan(["show", "--no-color"])
        #expect(show.stdout.contains("lost      CPUs \(lost) (offline, held by no co-kernel)"), "\(show.stdout)")

        // Lost uevents (a SEQNUM gap) lead to a full pass.
        let before = passes(watcher.log)
        let socket = try #require(sandbox.environment["SOSPLAN_UEVENT_SOCKET"])
        #expect(UeventSocket.send(Uevent(action: "change", devpath: "/devices/system/node/node0", subsystem: "node", seqnum: 1 << 40), to: socket))
        #expect(watcher.waitForLog(timeout: 10) { $0.contains("reconcile (resync)") }, "\(watcher.log)")
        #expect(watcher.log.contains("event(s) missed; observing everything again"))
        #expect(passes(watcher.log) == before + 1)

        // Memory blocks of node 1 go away: the enclave's memory and the hugepages
        // there either still fit or the layout is reported as not fitting.
        let blocks = try FileManager.default.contentsOfDirectory(
            at: sandbox.root.appendingPathComponent("sys/devices/system/memory"), includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("node1").path) }
            .filter { (try? String(contentsOf: $0.appendingPathComponent("state"), encoding: .utf8))?.hasPrefix("online") == true }
        for block in blocks.prefix(blocks.count - 8) {
            try "offline".write(to: block.appendingPathComponent("state"), atomically: false, encoding: .utf8)
        }
        let memoryPass = before + 2
        #expect(watcher.waitForLog(timeout: 15) { self.passes($0) >= memoryPass }, "\(watcher.log)")
        let tail = watcher.log.components(separatedBy: "event(s) missed").last ?? ""
        #expect(tail.contains("hotplug: memory block"), "\(tail)")
        // What the enclave and the hugepage pool hold stays theirs (the kernel cannot
        // take blocks in use): nothing to change...
        #expect(tail.contains("reconcile (hotplug): no-changes"), "\(tail)")
        // ...but more hugepages on node 1 no longer fit, and nothing changes.
        let more = Self.layout.replacingOccurrences(of: "count: 1024, numa: 1", with: "count: 4096, numa: 1")
        try more.write(to: layout, atomically: true, encoding: .utf8)
        #expect(watcher.waitForLog(timeout: 15) { $0.contains("reconcile (layout): ") }, "\(watcher.log)")
        let edit = watcher.log.components(separatedBy: "\(layout.path) changed").last ?? ""
        #expect(edit.contains("reconcile (layout): not-applied") || edit.contains("reconcile (layout): rolled-back"), "\(edit)")
        #expect(edit.contains("hugepages"), "\(edit)")
        #expect(watcher.stop() == 0, "\(watcher.log)")
    }
}
