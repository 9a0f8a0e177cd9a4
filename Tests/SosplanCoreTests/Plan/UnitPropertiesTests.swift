import SosplanCore
import Testing

/// A slice's settings and their JSON form in plans: the planner's desired
/// settings, an observed unit's, and a step's changes over what a slice has.
@Suite("slice settings and plan properties")
struct UnitPropertiesTests {
    static let service = ServiceSpec(
        name: "web", units: ["nginx.service"], memory: MemoryLimits(min: .value(1 << 30), max: .value(8 << 30)),
        cpuWeight: 200, tasksMax: .infinity)

    @Test("the planner's desired settings, typed and in plan order")
    func desired() throws {
        let r = UnitProperties.desired(Self.service, cpus: CPUSet([4, 5, 6, 7]), memoryNodes: CPUSet([0]))
        #expect(r == ResourceControl(
            allowedCPUs: CPUSet([4, 5, 6, 7]), allowedMemoryNodes: CPUSet([0]), cpuWeight: 200, ioWeight: nil,
            memoryMin: .value(1 << 30), memoryLow: .value(0), memoryHigh: .infinity, memoryMax: .value(8 << 30),
            tasksMax: .infinity))
        let p = UnitProperties.properties(r)
        #expect(p.keys == UnitProperties.sliceKeys)
        #expect(JSONWriter.compact(.object(p.entries)) == """
            {"AllowedCPUs":"4-7","AllowedMemoryNodes":"0","CPUWeight":200,"IOWeight":null,"MemoryMin":1073741824,\
            "MemoryLow":0,"MemoryHigh":"infinity","MemoryMax":8589934592,"TasksMax":"infinity"}
            """)
        #expect(try UnitProperties.settings(p) == r, "the JSON form reads back as the same settings")
    }

    @Test("an observed unit's settings: systemd's defaults where it reports none, CPUQuota left out")
    func observed() throws {
        var u = SystemdUnit(name: "a.slice")
        u.allowedCPUs = CPUSet([2, 3])
        u.memoryMax = 1 << 30
        u.cpuQuotaPerSecUSec = 500_000
        let r = ResourceControl(observed: u)
        #expect(r == ResourceControl(
            allowedCPUs: CPUSet([2, 3]), memoryMin: .value(0), memoryLow: .value(0), memoryHigh: .infinity,
            memoryMax: .value(1 << 30), tasksMax: .infinity))
        #expect(try UnitProperties.settings(UnitProperties.properties(r)) == r)
        var written = SystemdUnit(name: "a.slice")
        r.write(to: &written)
        #expect(ResourceControl(observed: written) == r, "written back, the unit reads as the same settings")
    }

    @Test("a step's changes go over what the slice has")
    func changesOverCurrent() throws {
        var u = SystemdUnit(name: "a.slice")
        u.allowedCPUs = CPUSet([2, 3])
        u.cpuWeight = 100
        let step = Step(
            id: "s1", action: .sliceUpdate, target: .unit("a.slice"), disruption: .live,
            before: ["CPUWeight": .uint(100)], after: ["CPUWeight": .uint(300), "AllowedCPUs": .string("")])
        let r = try step.sliceSettings(over: ResourceControl(observed: u))
        #expect(r.cpuWeight == 300 && r.allowedCPUs == nil && r.memoryLow == .value(0))
        #expect(!step.managesExistingSlice)
    }

    @Test("unrestricted and unset values become unmanaged; Slice and ExistingSlice are skipped")
    func unset() throws {
        let r = try UnitProperties.settings(
            ["AllowedCPUs": .string(""), "CPUWeight": .null, "Slice": .string("a.slice"), "ExistingSlice": .bool(true)])
        #expect(r.isEmpty)
    }

    @Test("unknown keys and malformed values are refused", arguments: [
        PropertyMap(dictionaryLiteral: ("Nice", .int(5))), ["AllowedCPUs": .int(3)], ["AllowedCPUs": .string("0-")],
        ["MemoryMax": .string("8G")], ["CPUWeight": .string("high")], ["TasksMax": .int(-1)],
    ])
    func refused(p: PropertyMap) {
        #expect(throws: UnitProperties.Failure.self) { try UnitProperties.settings(p) }
    }

    @Test("a refusal names the property and shows its value as JSON")
    func refusalMessage() {
        #expect(throws: UnitProperties.Failure(key: "MemoryMax", value: "\"8G\"", reason: "expected a number, \"infinity\" or null")) {
            try UnitProperties.settings(["MemoryMax": .string("8G")])
        }
    }
}
