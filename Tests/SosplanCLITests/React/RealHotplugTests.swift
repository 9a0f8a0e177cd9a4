import Foundation
import SosplanTestSupport
import Testing

/// `reconcile --watch` against the lab's real systemd and this machine's
/// real `/sys`: CPU 1 really goes offline and comes back (always, whatever
/// happens), the kernel's uevents arrive on netlink.
@Suite(.serialized, .enabled(if: LiveCPU.isAvailable, "\(LiveCPU.unavailableReason ?? "")"))
struct RealHotplugTests {
    static let layout = RealHotplugLayout.text(name: "real-hotplug")

    @Test func theOwnerOfAnOfflinedCPUIsRePlacedAndGetsItBack() throws {
        let lab = try SystemdLab.start(prefix: "hotplug")
        defer { lab.stop() }
        let scratch = try ScratchDirectory("real-hotplug")
        defer { scratch.remove() }
        let layout = scratch.path("layout.yaml")
        try Self.layout.write(to: layout, atomically: true, encoding: .utf8)
        let watcher = try BackgroundSosplan(
            ["reconcile", "--watch", layout.path],
            environment: [
                "SOSPLAN_SYSTEMD_BUS": lab.busAddress, "SOSPLAN_UNIT_DIR": lab.unitDirectory.path,
                "SOSPLAN_STATE_DIR": scratch.path("state").path,
            ],
            log: scratch.path("watch.log"))
        defer { watcher.stop() }

        func allowed(_ unit: String) throws -> String {
            try lab.run(["systemctl", "show", "--property", "AllowedCPUs", "--value", unit]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(watcher.waitForLog(timeout: 30) { $0.contains("reconcile (first-apply): converged") }, "\(watcher.log)")
        try #require(try allowed("sosplan-web.slice") == "1", "\(watcher.log)")
        #expect(try allowed("system.slice") == "0")

        try LiveCPU.withExclusive {
            defer { LiveCPU.restore() }
            let offlined = Date()
            try LiveCPU.set(online: false)
            let moved = try Poll.until(timeout: 5) { try allowed("sosplan-web.slice") == "0" }
            let seconds = Date().timeIntervalSince(offlined)
            #expect(moved, "web was not re-placed: \(watcher.log)")
            #expect(seconds < 2, "re-placed after \(seconds) s")
            #expect(try allowed("system.slice") == "0", "the host keeps its CPU")
            #expect(watcher.log.contains("hotplug: CPU 1 offline"))

            try LiveCPU.set(online: true)
            let back = try Poll.until(timeout: 5) { try allowed("sosplan-web.slice") == "1" }
            #expect(back, "the original placement did not come back: \(watcher.log)")
            #expect(try allowed("system.slice") == "0")
        }
        #expect(watcher.waitForLog(timeout: 5) { $0.components(separatedBy: "reconcile (hotplug): converged").count == 3 }, "\(watcher.log)")
        let status = watcher.stop()
        #expect(status == 0, "SIGTERM stops it cleanly (\(watcher.process.terminationReason == .exit ? "exit" : "signal") \(watcher.process.terminationStatus)): \(watcher.log)")
    }
}
