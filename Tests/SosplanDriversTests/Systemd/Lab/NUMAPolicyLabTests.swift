import Foundation
import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// NUMAPolicy=/NUMAMask= on sosplan's exec units (memory.policy): rendered
/// from the typed value only, read back over D-Bus as systemd reports it,
/// a change restarts the service, and a unit without one gets no line.
/// The unit file, without a lab.
@Suite struct NUMAPolicyUnitFileTests {
    @Test("the unit file carries the policy only when asked for")
    func rendering() throws {
        var request = ExecUnitRequest(name: "sosplan-stream.service", slice: "sosplan-stream.slice", arguments: ["/usr/bin/sleep", "infinity"])
        let plain = try ManagedUnitFiles.execUnit(request)
        #expect(plain.values("NUMAPolicy", in: "Service").isEmpty && plain.values("NUMAMask", in: "Service").isEmpty)
        request.numaPolicy = NUMAPolicySetting(.interleave, nodes: CPUSet([0, 2, 3]))
        let file = try ManagedUnitFiles.execUnit(request)
        #expect(file.value("NUMAPolicy", in: "Service") == "interleave")
        #expect(file.value("NUMAMask", in: "Service") == "0,2-3")
    }
}

@Suite("sosplan's exec units with a NUMA policy", .enabled(if: labAvailable, labSkipReason))
struct NUMAPolicyLabTests {
    @Test("systemd runs it with the policy, reports it over D-Bus, and a new policy restarts the service")
    func lifecycle() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("numa", "slice")
        let unit = ctx.name("numa", "service")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        var request = ExecUnitRequest(name: unit, slice: slice, arguments: ["/usr/bin/sleep", "infinity"])
        request.numaPolicy = NUMAPolicySetting(.interleave, nodes: CPUSet([0]))
        let created = try ctx.driver.createUnit(request)
        #expect(created.state.activeState == "active")
        #expect(created.state.numaPolicy == request.numaPolicy)
        #expect(try ctx.show("NUMAPolicy", unit) == "interleave")
        let pid = try ctx.show("MainPID", unit)
        #expect(try ctx.lab.run(["cat", "/proc/\(pid)/numa_maps"]).stdout.contains("interleave:0"))

        #expect(!(try ctx.driver.createUnit(request)).changed, "the same policy again changes nothing")

        request.numaPolicy = NUMAPolicySetting(.bind, nodes: CPUSet([0]))
        let rebound = try ctx.driver.updateUnit(request)
        #expect(rebound.actions.contains(.restarted) && rebound.disruption == .restart)
        #expect(rebound.state.numaPolicy == NUMAPolicySetting(kind: .bind, nodes: CPUSet([0])))
        #expect(try ctx.show("MainPID", unit) != pid)

        request.numaPolicy = nil
        let cleared = try ctx.driver.updateUnit(request)
        #expect(cleared.state.numaPolicy == nil, "no policy: systemd reports none (-1)")
        _ = try ctx.driver.removeUnit(unit)
        _ = try ctx.driver.removeSlice(slice)
    }
}
