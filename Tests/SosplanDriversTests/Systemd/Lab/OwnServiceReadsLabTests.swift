import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// A service's `GetAll` makes systemd compute its whole execution context;
/// sosplan reads its own exec units by `Get` of what it sets on them.
@Suite("observing sosplan's own services", .enabled(if: labAvailable, labSkipReason))
struct OwnServiceReadsLabTests {
    @Test("an exec unit is read by Get of what sosplan sets (slice, cgroup, argv, NUMA policy), a slice by GetAll")
    func execUnitsAreReadByGet() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("reads", "slice")
        let unit = ctx.name("reads", "service")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        var request = ExecUnitRequest(name: unit, slice: slice, arguments: ["/usr/bin/sleep", "infinity"])
        request.numaPolicy = NUMAPolicySetting(.interleave, nodes: CPUSet([0]))
        _ = try ctx.driver.createUnit(request)
        defer {
            _ = try? ctx.driver.removeUnit(unit)
            _ = try? ctx.driver.removeSlice(slice)
        }

        let before = ctx.driver.sentCalls
        let observed = try ctx.driver.observeUnits([unit, slice])
        let after = ctx.driver.sentCalls
        #expect(after["GetAll", default: 0] - before["GetAll", default: 0] == 1, "only the slice is read whole")
        #expect(after["Get", default: 0] - before["Get", default: 0] == 5, "slice, cgroup, argv, policy, and the mask the policy takes")

        let service = try #require(observed.first)
        #expect(service.managed && service.activeState == "active")
        #expect(service.slice == slice)
        #expect(service.controlGroup?.hasSuffix("/\(slice)/\(unit)") == true)
        #expect(service.execStart == ["/usr/bin/sleep", "infinity"])
        #expect(service.numaPolicy == request.numaPolicy)
        #expect(observed[1].slice != nil && observed[1].effectiveCPUs != nil, "the slice still carries its cgroup settings")
    }

    @Test("an exec unit without a NUMA policy costs no Get of its mask")
    func noMaskWithoutAPolicyThatTakesNodes() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("reads-plain", "slice")
        let plain = ctx.name("reads-plain", "service")
        let local = ctx.name("reads-local", "service")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        _ = try ctx.driver.createUnit(ExecUnitRequest(name: plain, slice: slice, arguments: ["/usr/bin/sleep", "infinity"]))
        var request = ExecUnitRequest(name: local, slice: slice, arguments: ["/usr/bin/sleep", "infinity"])
        request.numaPolicy = NUMAPolicySetting(kind: .local, nodes: CPUSet())
        _ = try ctx.driver.createUnit(request)
        defer {
            _ = try? ctx.driver.removeUnit(plain)
            _ = try? ctx.driver.removeUnit(local)
            _ = try? ctx.driver.removeSlice(slice)
        }

        let before = ctx.driver.sentCalls
        let observed = try ctx.driver.observeUnits([plain, local])
        let after = ctx.driver.sentCalls
        #expect(after["Get", default: 0] - before["Get", default: 0] == 8, "slice, cgroup, argv and policy of each")
        #expect(observed[0].numaPolicy == nil)
        #expect(observed[1].numaPolicy == NUMAPolicySetting(kind: .local, nodes: CPUSet()))
        #expect(observed.allSatisfy { $0.slice == slice && $0.execStart == ["/usr/bin/sleep", "infinity"] })
    }
}
