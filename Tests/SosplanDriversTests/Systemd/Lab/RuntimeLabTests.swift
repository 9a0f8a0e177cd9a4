import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

@Suite("live (runtime) changes", .enabled(if: labAvailable, labSkipReason))
struct RuntimeLabTests {
    @Test("a batch sets only what differs, reports per unit, and a repeat is a no-op")
    func batch() throws {
        let ctx = try LabContext.shared()
        let names = (0..<12).map { ctx.name("rt\($0)", "slice") }
        _ = try ctx.driver.applySlices(names.map { SliceRequest(name: $0, resources: ResourceControl(cpuWeight: 100)) })
        let requests = names.enumerated().map { i, n in
            (unit: n, resources: ResourceControl(allowedCPUs: CPUSet([i % 2]), cpuWeight: i < 6 ? 100 : UInt64(200 + i)))
        }
        let changes = try ctx.driver.setRuntimeResources(requests)
        #expect(changes.map(\.unit) == names)
        for (i, c) in changes.enumerated() {
            #expect(c.state.allowedCPUs == CPUSet([i % 2]), "\(c.unit)")
            #expect(c.state.cpuWeight == (i < 6 ? 100 : UInt64(200 + i)), "\(c.unit)")
            #expect(c.actions == [.setRuntime(i < 6 ? ["AllowedCPUs"] : ["AllowedCPUs", "CPUWeight"])], "\(c.unit)")
            #expect(c.disruption == .live)
        }
        // systemd keeps runtime values under /run/systemd/system.control: systemctl sees them.
        #expect(try ctx.show("CPUWeight", names[11]) == "211")
        let again = try ctx.driver.setRuntimeResources(requests)
        #expect(again.allSatisfy { !$0.changed && $0.disruption == .none })
        // The unit files were not touched by runtime changes.
        let text = try String(contentsOf: ctx.file(names[11]), encoding: .utf8)
        #expect(UnitFile.parse(text).values("CPUWeight", in: "Slice") == ["100"])
        _ = try ctx.driver.removeSlices(names)
    }

    @Test("a persistent update overrides an earlier runtime value where needed")
    func persistentOverRuntime() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("over", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: ResourceControl(cpuWeight: 100)))
        _ = try ctx.driver.setRuntimeResources(slice, ResourceControl(cpuWeight: 900))
        let update = try ctx.driver.updateSlice(SliceRequest(name: slice, resources: ResourceControl(cpuWeight: 300)))
        #expect(update.state.cpuWeight == 300)
        #expect(update.actions.contains(.setRuntime(["CPUWeight"])))
        let again = try ctx.driver.updateSlice(SliceRequest(name: slice, resources: ResourceControl(cpuWeight: 300)))
        #expect(!again.changed)
        _ = try ctx.driver.removeSlice(slice)
    }

    @Test("validation happens before any call: one bad request in a batch changes nothing")
    func batchValidation() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("val", "slice")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice, resources: ResourceControl(cpuWeight: 100)))
        #expect(throws: SystemdError.self) {
            try ctx.driver.setRuntimeResources([(slice, ResourceControl(cpuWeight: 400)), (slice, ResourceControl(ioWeight: 0))])
        }
        #expect(throws: SystemdError.self) {
            try ctx.driver.setRuntimeResources([(slice, ResourceControl(cpuWeight: 400)), ("bad name.slice", ResourceControl(cpuWeight: 1))])
        }
        #expect(try ctx.driver.observeUnit(slice).cpuWeight == 100)
        _ = try ctx.driver.removeSlice(slice)
    }
}
