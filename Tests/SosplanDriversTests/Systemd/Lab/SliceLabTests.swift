import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

@Suite("slices against a real systemd", .enabled(if: labAvailable, labSkipReason))
struct SliceLabTests {
    let resources = ResourceControl(
        allowedCPUs: CPUSet([0, 1]), allowedMemoryNodes: CPUSet([0]), cpuWeight: 200, ioWeight: 300,
        cpuQuotaPerSecUSec: 1_500_000, memoryMin: .value(16 << 20), memoryLow: .value(32 << 20),
        memoryHigh: .value(96 << 20), memoryMax: .value(128 << 20), tasksMax: .value(64))

    @Test("create writes a marked unit file, systemd reports exactly the requested settings")
    func create() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("web", "slice")
        let change = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        #expect(change.changed)
        #expect(change.actions.contains(.reloaded))
        #expect(change.actions.contains(.started))
        #expect(change.disruption == .live)
        let s = change.state
        #expect(s.loadState == "loaded")
        #expect(s.activeState == "active")
        #expect(s.managed)
        #expect(s.allowedCPUs == CPUSet([0, 1]))
        #expect(s.allowedMemoryNodes == CPUSet([0]))
        #expect(s.cpuWeight == 200)
        #expect(s.ioWeight == 300)
        #expect(s.cpuQuotaPerSecUSec == 1_500_000)
        #expect(s.memoryMin == 16 << 20)
        #expect(s.memoryLow == 32 << 20)
        #expect(s.memoryHigh == 96 << 20)
        #expect(s.memoryMax == 128 << 20)
        #expect(s.tasksMax == 64)
        #expect(s.controlGroup == "/sosplan.slice/sosplan-\(ctx.tag).slice/\(slice)")
        // Independent reading through systemctl inside the lab.
        #expect(try ctx.show("AllowedCPUs", slice) == "0-1")
        #expect(try ctx.show("CPUQuotaPerSecUSec", slice) == "1.500000s")
        #expect(try ctx.show("FragmentPath", slice) == "/etc/systemd/system/\(slice)")
        let text = try String(contentsOf: ctx.file(slice), encoding: .utf8)
        #expect(ManagedUnitFiles.kind(of: text) == .slice)
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("a second identical create changes nothing and says so")
    func idempotent() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("idem", "slice")
        let first = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        let mtime = try FileManager.default.attributesOfItem(atPath: ctx.file(slice).path)[.modificationDate] as? Date
        let second = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        #expect(first.changed)
        #expect(!second.changed, "second call did: \(second.actions)")
        #expect(second.actions.isEmpty)
        #expect(second.disruption == .none)
        #expect(second.state == first.state)
        #expect(try FileManager.default.attributesOfItem(atPath: ctx.file(slice).path)[.modificationDate] as? Date == mtime)
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("update changes the settings; unset settings go back to systemd's defaults")
    func update() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("upd", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        let smaller = ResourceControl(allowedCPUs: CPUSet([1]), cpuWeight: 50, memoryMax: .infinity)
        let change = try ctx.driver.updateSlice(SliceRequest(name: slice, resources: smaller))
        #expect(change.changed)
        #expect(change.state.allowedCPUs == CPUSet([1]))
        #expect(change.state.cpuWeight == 50)
        #expect(change.state.memoryMax == nil)  // infinity
        #expect(change.state.memoryHigh == nil)  // no longer managed: default (infinity)
        #expect(change.state.tasksMax != 64)
        #expect(change.state.allowedMemoryNodes == nil)
        #expect(try ctx.show("MemoryMax", slice) == "infinity")
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("update refuses a slice sosplan does not manage")
    func updateUnmanaged() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("never", "slice")
        #expect(throws: SystemdError.self) { try ctx.driver.updateSlice(SliceRequest(name: slice, resources: resources)) }
        #expect(!FileManager.default.fileExists(atPath: ctx.file(slice).path))
    }

    @Test("remove deletes sosplan's file and stops the slice; a second remove is a no-op")
    func remove() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("rm", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        let removed = try ctx.driver.removeSlice(slice)
        #expect(removed.actions.contains(.removedFile(ctx.file(slice).path)))
        #expect(removed.actions.contains(.stopped))
        #expect(removed.state.activeState == "inactive")
        #expect(removed.state.managed == false)
        #expect(!FileManager.default.fileExists(atPath: ctx.file(slice).path))
        let again = try ctx.driver.removeSlice(slice)
        #expect(!again.changed)
    }

    @Test("remove refuses while a unit runs in the slice")
    func removeBusy() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("busy", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        let plain = try ctx.foreignService("busy")
        _ = try ctx.driver.placeUnit(plain.name, inSlice: slice)
        #expect(throws: SystemdError.sliceInUse(slice: slice, units: [plain.name])) { try ctx.driver.removeSlice(slice) }
        #expect(FileManager.default.fileExists(atPath: ctx.file(slice).path))
        _ = try ctx.driver.releaseUnit(plain.name)
        _ = try ctx.driver.removeSlice(slice)
        try ctx.systemctl("stop", plain.name)
        try FileManager.default.removeItem(at: plain.path)
    }

    @Test("a slice defined by someone else gets a drop-in; its unit file is never touched or removed")
    func foreignSlice() throws {
        let ctx = try LabContext.shared()
        let slice = "admin-\(ctx.tag).slice"
        let foreign = "[Unit]\nDescription=admin's own slice\n\n[Slice]\nCPUWeight=10\n"
        try foreign.write(to: ctx.file(slice), atomically: true, encoding: .utf8)
        try ctx.systemctl("daemon-reload")
        let change = try ctx.driver.createSlice(SliceRequest(name: slice, resources: ResourceControl(cpuWeight: 700)))
        let dropIn = "\(slice).d/40-sosplan-properties.conf"
        #expect(change.actions.contains(.wroteFile(ctx.file(dropIn).path)))
        #expect(change.state.cpuWeight == 700)
        #expect(try String(contentsOf: ctx.file(slice), encoding: .utf8) == foreign)
        let removed = try ctx.driver.removeSlice(slice)
        #expect(removed.actions.contains(.removedFile(ctx.file(dropIn).path)))
        #expect(!removed.actions.contains(.stopped))  // not sosplan's slice
        #expect(removed.state.cpuWeight == 10)
        #expect(try String(contentsOf: ctx.file(slice), encoding: .utf8) == foreign)
        // With only the admin's file left, sosplan refuses to remove it.
        #expect(throws: SystemdError.self) { try ctx.driver.removeSlice(slice) }
        #expect(try String(contentsOf: ctx.file(slice), encoding: .utf8) == foreign)
        try FileManager.default.removeItem(at: ctx.file(slice))
        try ctx.systemctl("daemon-reload")
    }

    @Test("observe lists sosplan's slices, the host units and named units")
    func observe() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("obs", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: resources))
        let missing = "missing-\(ctx.tag).service"
        let state = try ctx.driver.observeSystemd(unitNames: [missing])
        let names = state.units.map(\.name)
        #expect(names.contains(slice))
        #expect(names.contains("system.slice") && names.contains("user.slice") && names.contains("init.scope"))
        #expect(names == names.sorted())
        #expect(state.unit(slice)?.managed == true)
        #expect(state.unit(slice)?.cpuWeight == 200)
        #expect(state.unit(missing)?.loadState == "not-found")
        #expect(state.unit(missing)?.activeState == "inactive")
        #expect(state.unit(missing)?.controlGroup == nil)
        #expect(state.unit("init.scope")?.activeState == "active")
        #expect(state.unit("init.scope")?.managed == false)
        _ = try ctx.driver.removeSlice(slice)
    }
}
