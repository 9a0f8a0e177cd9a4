import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

@Suite("placing existing units into slices", .enabled(if: labAvailable, labSkipReason))
struct PlacementLabTests {
    @Test("place moves a running unit into the slice with a restart; release moves it back")
    func placeAndRelease() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("place", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: ResourceControl(allowedCPUs: CPUSet([1]))))
        let plain = try ctx.foreignService("place")
        let pidBefore = try ctx.show("MainPID", plain.name)
        #expect(try ctx.show("ControlGroup", plain.name) == "/system.slice/\(plain.name)")

        let placed = try ctx.driver.placeUnit(plain.name, inSlice: slice)
        let dropIn = "\(plain.name).d/40-sosplan-placement.conf"
        #expect(placed.actions == [.wroteFile(ctx.file(dropIn).path), .reloaded, .restarted])
        #expect(placed.disruption == .restart)
        #expect(placed.state.slice == slice)
        #expect(placed.state.controlGroup == "/sosplan.slice/sosplan-\(ctx.tag).slice/\(slice)/\(plain.name)")
        #expect(placed.state.activeState == "active")
        #expect(placed.state.managed)
        #expect(try ctx.show("MainPID", plain.name) != pidBefore)
        // The admin's unit file is untouched; only sosplan's drop-in was added.
        #expect(try String(contentsOf: plain.path, encoding: .utf8) == plain.text)
        let parsed = UnitFile.parse(try String(contentsOf: ctx.file(dropIn), encoding: .utf8))
        #expect(parsed.sections.map(\.name) == ["Unit", "Service"])
        #expect(parsed.values("Slice", in: "Service") == [slice])

        let again = try ctx.driver.placeUnit(plain.name, inSlice: slice)
        #expect(!again.changed, "second place did: \(again.actions)")
        #expect(again.disruption == .none)

        let released = try ctx.driver.releaseUnit(plain.name)
        #expect(released.actions == [.removedFile(ctx.file(dropIn).path), .reloaded, .restarted])
        #expect(released.state.slice == "system.slice")
        #expect(released.state.controlGroup == "/system.slice/\(plain.name)")
        #expect(!released.state.managed)
        #expect(!FileManager.default.fileExists(atPath: ctx.file("\(plain.name).d").path))
        #expect(try String(contentsOf: plain.path, encoding: .utf8) == plain.text)
        #expect(!(try ctx.driver.releaseUnit(plain.name)).changed)

        try ctx.systemctl("stop", plain.name)
        try FileManager.default.removeItem(at: plain.path)
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("an inactive unit is placed without a restart and stays inactive")
    func placeInactive() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("cold", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        let plain = try ctx.foreignService("cold", start: false)
        let placed = try ctx.driver.placeUnit(plain.name, inSlice: slice)
        #expect(!placed.actions.contains(.restarted))
        #expect(placed.disruption == .live)
        #expect(placed.state.activeState == "inactive")
        #expect(placed.state.slice == slice)
        try ctx.systemctl("start", plain.name)
        #expect(try ctx.show("ControlGroup", plain.name).hasSuffix("/\(slice)/\(plain.name)"))
        _ = try ctx.driver.releaseUnit(plain.name)
        try ctx.systemctl("stop", plain.name)
        try FileManager.default.removeItem(at: plain.path)
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("a drop-in at sosplan's path written by someone else is never replaced or removed")
    func foreignDropIn() throws {
        let ctx = try LabContext.shared()
        let plain = try ctx.foreignService("theirs", start: false)
        let dropIn = ctx.file("\(plain.name).d/40-sosplan-placement.conf")
        try FileManager.default.createDirectory(at: dropIn.deletingLastPathComponent(), withIntermediateDirectories: true)
        let theirs = "[Service]\nSlice=admin.slice\n"
        try theirs.write(to: dropIn, atomically: true, encoding: .utf8)
        #expect(throws: SystemdError.self) { try ctx.driver.placeUnit(plain.name, inSlice: ctx.name("x", "slice")) }
        #expect(throws: SystemdError.self) { try ctx.driver.releaseUnit(plain.name) }
        #expect(try String(contentsOf: dropIn, encoding: .utf8) == theirs)
        try FileManager.default.removeItem(at: dropIn.deletingLastPathComponent())
        try FileManager.default.removeItem(at: plain.path)
        try ctx.systemctl("daemon-reload")
    }

    @Test("placing a unit that does not exist fails with noSuchUnit and writes nothing")
    func placeMissing() throws {
        let ctx = try LabContext.shared()
        let missing = "nothing-\(ctx.tag).service"
        #expect(throws: SystemdError.noSuchUnit(unit: missing)) {
            try ctx.driver.placeUnit(missing, inSlice: ctx.name("x", "slice"))
        }
        #expect(!FileManager.default.fileExists(atPath: ctx.file("\(missing).d").path))
    }
}
