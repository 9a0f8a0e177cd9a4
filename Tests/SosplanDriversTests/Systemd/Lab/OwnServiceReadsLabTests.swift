import SosplanCore
import SosplanDrivers
import SosplanTestSupport
import Testing

/// A service's `GetAll` makes systemd compute its whole execution context;
/// sosplan reads its own exec units by `Get` of what it sets on them.
@Suite("observing sosplan's own services", .enabled(if: labAvailable, labSkipReason))
struct OwnServiceReadsLabTests {
    static let sleep = ["/usr/bin/sleep", "infinity"]

    /// A sleeping exec unit in `slice`, with `policy` if given.
    static func sleeper(_ ctx: LabContext, _ name: String, in slice: String, policy: NUMAPolicySetting? = nil) throws {
        var request = ExecUnitRequest(name: name, slice: slice, arguments: sleep)
        request.numaPolicy = policy
        _ = try ctx.driver.createUnit(request)
    }

    /// The units as observed, and how many `Get`s and `GetAll`s it took.
    static func observeCounting(_ ctx: LabContext, _ names: [String]) throws -> (units: [SystemdUnit], gets: Int, getAlls: Int) {
        let before = ctx.driver.sentCalls
        let units = try ctx.driver.observeUnits(names)
        let after = ctx.driver.sentCalls
        return (units, after["Get", default: 0] - before["Get", default: 0], after["GetAll", default: 0] - before["GetAll", default: 0])
    }

    @Test("an exec unit is read by Get of what sosplan sets (slice, cgroup, argv, NUMA policy), a slice by GetAll")
    func execUnitsAreReadByGet() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("reads", "slice")
        let unit = ctx.name("reads", "service")
        let policy = NUMAPolicySetting(.interleave, nodes: CPUSet([0]))
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        try Self.sleeper(ctx, unit, in: slice, policy: policy)
        defer {
            _ = try? ctx.driver.removeUnit(unit)
            _ = try? ctx.driver.removeSlice(slice)
        }

        let (observed, gets, getAlls) = try Self.observeCounting(ctx, [unit, slice])
        #expect(getAlls == 1, "only the slice is read whole")
        #expect(gets == 5, "slice, cgroup, argv, policy, and the mask the policy takes")

        let service = try #require(observed.first)
        #expect(service.managed && service.activeState == "active")
        #expect(service.slice == slice)
        #expect(service.controlGroup?.hasSuffix("/\(slice)/\(unit)") == true)
        #expect(service.execStart == Self.sleep)
        #expect(service.numaPolicy == policy)
        #expect(observed[1].slice != nil && observed[1].effectiveCPUs != nil, "the slice still carries its cgroup settings")
    }

    @Test("an exec unit without a NUMA policy costs no Get of its mask")
    func noMaskWithoutAPolicyThatTakesNodes() throws {
        let ctx = try LabContext.shared()
        let slice = ctx.name("reads-plain", "slice")
        let plain = ctx.name("reads-plain", "service")
        let local = ctx.name("reads-local", "service")
        _ = try ctx.driver.createSlice(SliceRequest(name: slice))
        try Self.sleeper(ctx, plain, in: slice)
        try Self.sleeper(ctx, local, in: slice, policy: NUMAPolicySetting(kind: .local, nodes: CPUSet()))
        defer {
            _ = try? ctx.driver.removeUnit(plain)
            _ = try? ctx.driver.removeUnit(local)
            _ = try? ctx.driver.removeSlice(slice)
        }

        let (observed, gets, _) = try Self.observeCounting(ctx, [plain, local])
        #expect(gets == 8, "slice, cgroup, argv and policy of each")
        #expect(observed[0].numaPolicy == nil)
        #expect(observed[1].numaPolicy == NUMAPolicySetting(kind: .local, nodes: CPUSet()))
        #expect(observed.allSatisfy { $0.slice == slice && $0.execStart == Self.sleep })
    }
}
