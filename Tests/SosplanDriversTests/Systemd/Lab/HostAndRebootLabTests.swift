import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// These tests change host-wide units or restart systemd, so each starts its
/// own lab instead of sharing one.
@Suite("host confinement and persistence", .enabled(if: labAvailable, labSkipReason))
struct HostAndRebootLabTests {
    @Test("confine restricts init.scope, system.slice and user.slice; a second call and undo behave")
    func confine() throws {
        let lab = try SystemdLab.start(prefix: "confine")
        defer { lab.stop() }
        let ctx = try LabContext(lab: lab)
        let changes = try ctx.driver.confineHost(to: CPUSet([0]))
        #expect(changes.map(\.unit) == ["init.scope", "system.slice", "user.slice"])
        for c in changes {
            #expect(c.state.allowedCPUs == CPUSet([0]), "\(c.unit)")
            #expect(c.actions.first == .wroteFile(ctx.file("\(c.unit).d/40-sosplan-confine.conf").path))
            #expect(c.actions.contains(.reloaded))
            #expect(c.disruption == .live)
            #expect(c.state.managed)
            #expect(try ctx.show("AllowedCPUs", c.unit) == "0")
        }
        let scope = UnitFile.parse(try String(contentsOf: ctx.file("init.scope.d/40-sosplan-confine.conf"), encoding: .utf8))
        #expect(scope.values("AllowedCPUs", in: "Scope") == ["0"])
        #expect(try ctx.driver.confineHost(to: CPUSet([0])).allSatisfy { !$0.changed })

        let wider = try ctx.driver.confineHost(to: CPUSet([0, 1]))
        #expect(wider.allSatisfy { $0.changed && $0.state.allowedCPUs == CPUSet([0, 1]) })

        let undone = try ctx.driver.unconfineHost()
        #expect(undone.allSatisfy { $0.changed && $0.state.allowedCPUs == nil && !$0.state.managed })
        #expect(try ctx.show("AllowedCPUs", "system.slice") == "")
        #expect(try ctx.driver.unconfineHost().allSatisfy { !$0.changed })
    }

    @Test("everything sosplan wrote survives a reboot and reads back as written")
    func reboot() throws {
        var lab = try SystemdLab.start(prefix: "reboot")
        defer { lab.stop() }
        var ctx = try LabContext(lab: lab)
        let slice = ctx.name("web", "slice")
        let unit = ctx.name("batch", "service")
        let resources = ResourceControl(
            allowedCPUs: CPUSet([1]), allowedMemoryNodes: CPUSet([0]), cpuWeight: 300, ioWeight: 40,
            cpuQuotaPerSecUSec: 250_000, memoryHigh: .value(48 << 20), memoryMax: .value(64 << 20), tasksMax: .infinity)
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, description: "web tier 100%", resources: resources))
        let plain = try ctx.foreignService("nginx")
        _ = try ctx.driver.placeUnit(plain.name, inSlice: slice)
        _ = try ctx.driver.createUnit(ExecUnitRequest(name: unit, slice: slice, arguments: ["/usr/bin/sleep", "infinity"]))
        _ = try ctx.driver.confineHost(to: CPUSet([0]))
        let names = [slice, plain.name, unit, "init.scope", "system.slice", "user.slice"]
        let before = try ctx.driver.observeSystemd(unitNames: names)

        lab = try lab.reboot()
        ctx = try LabContext(lab: lab)
        let after = try ctx.driver.observeSystemd(unitNames: names)
        for name in [slice, unit, "init.scope", "system.slice", "user.slice"] {
            let b = try #require(before.unit(name)), a = try #require(after.unit(name))
            #expect(a.allowedCPUs == b.allowedCPUs, "\(name)")
            #expect(a.allowedMemoryNodes == b.allowedMemoryNodes, "\(name)")
            #expect(a.cpuWeight == b.cpuWeight && a.ioWeight == b.ioWeight, "\(name)")
            #expect(a.cpuQuotaPerSecUSec == b.cpuQuotaPerSecUSec, "\(name)")
            #expect(a.memoryHigh == b.memoryHigh && a.memoryMax == b.memoryMax && a.tasksMax == b.tasksMax, "\(name)")
            #expect(a.managed == b.managed && a.execStart == b.execStart && a.slice == b.slice, "\(name)")
        }
        let s = try #require(after.unit(slice))
        #expect(s.allowedCPUs == CPUSet([1]) && s.cpuWeight == 300 && s.memoryMax == 64 << 20 && s.tasksMax == nil)
        #expect(try ctx.show("Description", slice) == "web tier 100%")
        // The placed unit keeps its slice; sosplan's exec unit comes back by itself (enabled).
        #expect(after.unit(plain.name)?.slice == slice)
        #expect(after.unit(unit)?.activeState == "active")
        #expect(after.unit(unit)?.controlGroup?.hasSuffix("/\(slice)/\(unit)") == true)
        #expect(after.unit("system.slice")?.allowedCPUs == CPUSet([0]))
        // Nothing to do after the reboot.
        #expect(!(try ctx.driver.createSlice(SliceRequest(name: slice, description: "web tier 100%", resources: resources))).changed)
        #expect(!(try ctx.driver.placeUnit(plain.name, inSlice: slice)).changed)
        #expect(try ctx.driver.confineHost(to: CPUSet([0])).allSatisfy { !$0.changed })
    }
}
