import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// `observe` and `plan` with `--systemd-bus`: the lab's real systemd state
/// is part of the snapshot, and the plan diffs against it.
@Suite(.enabled(if: SystemdLab.isAvailable, Comment(rawValue: SystemdLab.unavailableReason ?? "systemd lab available")))
struct SystemdObserveTests {
    let lab: SystemdLab
    let tag = "x" + String(UUID().uuidString.prefix(6).lowercased())

    init() throws { lab = try SystemdLab.shared() }

    var slice: String { "sosplan-\(tag).slice" }

    func sosplan(_ args: [String]) throws -> CommandResult {
        try CommandRunner.sosplan(args + ["--systemd-bus", lab.busAddress, "--unit-dir", lab.unitDirectory.path])
    }

    @Test func observeIncludesTheLabsSystemd() throws {
        let driver = try SDBusSystemdDriver(busAddress: lab.busAddress, unitDirectory: lab.unitDirectory)
        var resources = ResourceControl()
        resources.allowedCPUs = CPUSet([1])
        resources.cpuWeight = 50
        _ = try driver.createSlice(SliceRequest(name: slice, resources: resources))
        defer { _ = try? driver.removeSlice(slice) }

        let r = try sosplan(["observe", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let units = try #require(try HostSnapshot.decode(json: r.stdout).systemd?.units)
        #expect(units.contains { $0.name == "system.slice" && $0.activeState == "active" })
        let mine = try #require(units.first { $0.name == slice })
        #expect(mine.managed && mine.allowedCPUs == CPUSet([1]) && mine.cpuWeight == 50)
    }

    @Test func planDiffsAgainstTheObservedSlice() throws {
        let driver = try SDBusSystemdDriver(busAddress: lab.busAddress, unitDirectory: lab.unitDirectory)
        var resources = ResourceControl()
        resources.allowedCPUs = CPUSet([1])
        resources.allowedMemoryNodes = CPUSet([0])
        resources.cpuWeight = 50
        _ = try driver.createSlice(SliceRequest(name: slice, resources: resources))
        defer { _ = try? driver.removeSlice(slice) }
        let scratch = try ScratchDirectory("plan-systemd")
        defer { scratch.remove() }
        func layout(_ units: String) throws -> String {
            let path = scratch.path("\(units.count).yaml").path
            try """
                apiVersion: sosplan/v1
                kind: HostLayout
                metadata: {name: lab}
                spec:
                  policy: {topology: none, smt: threads}
                  host: {cpus: 1}
                  services:
                    - {name: \(tag), exec: [/usr/bin/sleep, infinity], units: [\(units)], cpus: 1, cpuWeight: 100}
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // On this 2-CPU VM: CPU 0 for the host, CPU 1 for the service; only CPUWeight differs.
        let r = try sosplan(["plan", try layout(""), "--format", "json"])
        #expect(r.status == 2, "\(r.stderr)")
        let plan = try Plan.decode(json: r.stdout)
        let update = try #require(plan.steps.first { $0.target == .unit(slice) })
        #expect(update.action == .sliceUpdate)
        #expect(update.before == ["CPUWeight": .uint(50)] && update.after == ["CPUWeight": .uint(100)], "\(PlanFormatter.text(plan))")
        // A unit the layout moves must exist where systemd was observed.
        let missing = try sosplan(["plan", try layout("nothere-\(tag).service")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("unit 'nothere-\(tag).service' of service '\(tag)' does not exist on this host"), "\(missing.stderr)")
    }

    @Test func unreachableBusIsAnErrorWhenNamed() throws {
        let r = try CommandRunner.sosplan(["observe", "--systemd-bus", "unix:path=/nonexistent/bus"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: "), "\(r.stderr)")
        // Without --systemd-bus, a machine without a system bus still observes (with a warning).
        let plain = try CommandRunner.sosplan(["observe", "--format", "json"], environment: ["DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/bus"])
        #expect(plain.status == 0, "\(plain.stderr)")
    }
}
