import SosplanCore
import SosplanDrivers
import Testing

@Suite("plan properties to resource settings")
struct ResourceControlPlanTests {
    @Test("the planner's slice properties map onto ResourceControl")
    func planner() throws {
        let service = ServiceSpec(
            name: "web", units: ["nginx.service"], memory: MemoryLimits(min: .value(1 << 30), max: .value(8 << 30)),
            cpuWeight: 200, tasksMax: .infinity)
        let p = UnitProperties.desired(service, cpus: CPUSet([4, 5, 6, 7]), memoryNodes: CPUSet([0]))
        let r = try ResourceControl(planProperties: p)
        #expect(r == ResourceControl(
            allowedCPUs: CPUSet([4, 5, 6, 7]), allowedMemoryNodes: CPUSet([0]), cpuWeight: 200, ioWeight: nil,
            memoryMin: .value(1 << 30), memoryLow: .value(0), memoryHigh: .infinity, memoryMax: .value(8 << 30),
            tasksMax: .infinity))
    }

    @Test("unrestricted and unset values become unmanaged; Slice is skipped")
    func unset() throws {
        let r = try ResourceControl(planProperties: ["AllowedCPUs": .string(""), "CPUWeight": .null, "Slice": .string("a.slice")])
        #expect(r.isEmpty)
    }

    @Test("unknown keys and malformed values are refused", arguments: [
        PropertyMap(dictionaryLiteral: ("Nice", .int(5))), ["AllowedCPUs": .int(3)], ["AllowedCPUs": .string("0-")],
        ["MemoryMax": .string("8G")], ["CPUWeight": .string("high")], ["TasksMax": .int(-1)],
    ])
    func refused(p: PropertyMap) {
        #expect(throws: SystemdError.self) { try ResourceControl(planProperties: p) }
    }
}
